using System.Management.Automation;

namespace NodeFoundry.PowerShell.Jobs;

/// <summary>Maps an engine failure onto the ErrorRecord a job reports.</summary>
internal static class BootJobErrors
{
    public static ErrorRecord FromFailure(Exception reason, object target)
    {
        (string errorId, BootFailureKind kind) = BootServiceFailure.Classify(reason);
        ErrorCategory category = kind switch
        {
            BootFailureKind.AddressInUse => ErrorCategory.ResourceUnavailable,
            BootFailureKind.PermissionDenied => ErrorCategory.PermissionDenied,
            BootFailureKind.AddressNotAvailable => ErrorCategory.InvalidArgument,
            BootFailureKind.InvalidConfiguration => ErrorCategory.InvalidArgument,
            _ => ErrorCategory.NotSpecified,
        };
        return new ErrorRecord(reason, errorId, category, target);
    }
}
