using System.Net.Sockets;

namespace NodeFoundry.PowerShell.Jobs;

/// <summary>Why an engine could not run, in the terms an operator acts on.</summary>
internal enum BootFailureKind
{
    AddressInUse,
    PermissionDenied,
    AddressNotAvailable,
    InvalidConfiguration,
    Other,
}

/// <summary>
/// Classifies the exception an engine's RunAsync threw into a stable error id (what scripts match on
/// with <c>$_.FullyQualifiedErrorId</c>) and a kind the job maps onto an ErrorCategory.
/// </summary>
internal static class BootServiceFailure
{
    public const string AddressInUseId = "NfBootServiceAddressInUse";
    public const string PermissionDeniedId = "NfBootServicePermissionDenied";
    public const string AddressNotAvailableId = "NfBootServiceAddressNotAvailable";
    public const string InvalidConfigurationId = "NfBootServiceInvalidConfiguration";
    public const string FailedId = "NfBootServiceFailed";

    public static (string ErrorId, BootFailureKind Kind) Classify(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        for (Exception? e = exception; e is not null; e = Unwrap(e))
        {
            switch (e)
            {
                case SocketException { SocketErrorCode: SocketError.AddressAlreadyInUse }:
                    return (AddressInUseId, BootFailureKind.AddressInUse);
                case SocketException { SocketErrorCode: SocketError.AccessDenied }:
                case UnauthorizedAccessException:
                    return (PermissionDeniedId, BootFailureKind.PermissionDenied);
                case SocketException { SocketErrorCode: SocketError.AddressNotAvailable }:
                    return (AddressNotAvailableId, BootFailureKind.AddressNotAvailable);
                case PlatformNotSupportedException:
                case ArgumentException:
                case FormatException:
                    return (InvalidConfigurationId, BootFailureKind.InvalidConfiguration);
                default:
                    break;
            }
        }

        return (FailedId, BootFailureKind.Other);
    }

    private static Exception? Unwrap(Exception e) =>
        e is AggregateException { InnerExceptions.Count: 1 } aggregate ? aggregate.InnerExceptions[0] : e.InnerException;
}
