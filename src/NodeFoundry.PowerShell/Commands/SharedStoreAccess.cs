using System.Management.Automation;
using NodeFoundry.Fleet;
using NodeFoundry.Hosting;
using NodeFoundry.Storage;

namespace NodeFoundry.PowerShell.Commands;

/// <summary>
/// What Get-NfBootTimeline and Get-NfNodeInventory share to read the store a fleet's servers share: from a running
/// stack (its recorder's store) or, on a console that runs no server, from the fleet file's <c>storage</c> section.
/// Failures are error records with stable ids; the reading itself is the engine's.
/// </summary>
internal static class SharedStoreAccess
{
    /// <summary>The fleet file at <paramref name="path"/> and its opened shared store, or null after a terminating error.</summary>
    public static (FleetConfig Fleet, IBootEventStore Store) Open(PSCmdlet cmdlet, string path)
    {
        string full = cmdlet.SessionState.Path.GetUnresolvedProviderPathFromPSPath(path);
        if (!File.Exists(full))
        {
            cmdlet.ThrowTerminatingError(new ErrorRecord(
                new FileNotFoundException($"Fleet file '{full}' does not exist.", full), ErrorIds.FleetFileNotFound, ErrorCategory.ObjectNotFound, full));
        }

        FleetLoadResult result = FleetLoader.LoadFile(full);
        if (result.Fleet is not { } fleet)
        {
            cmdlet.ThrowTerminatingError(new ErrorRecord(new FleetValidationException(result.Errors), ErrorIds.FleetFileInvalid, ErrorCategory.InvalidData, full));
            throw new InvalidOperationException("unreachable: ThrowTerminatingError throws");
        }

        if (!BootEventStores.IsShared(fleet))
        {
            cmdlet.ThrowTerminatingError(NotShared(full));
        }

        try
        {
            return (fleet, BootEventStores.OpenPostgres(fleet));
        }
        catch (IOException ex)
        {
            cmdlet.ThrowTerminatingError(new ErrorRecord(ex, ErrorIds.BootEventStoreUnavailable, ErrorCategory.ConnectionError, full));
            throw;
        }
    }

    /// <summary>The shared store of a running stack, or null after a non-terminating error saying why there is none.</summary>
    public static IBootEventStore? Of(Cmdlet cmdlet, BootStack stack)
    {
        if (stack.BootEvents is not { } recorder)
        {
            cmdlet.WriteError(NotShared(stack.Fleet.SourcePath ?? "(no file)"));
            return null;
        }

        if (recorder.Store is not { } store)
        {
            cmdlet.WriteError(new ErrorRecord(
                new BootEventStoreUnavailableException($"The {recorder.Description} has not been reached since the stack started."),
                ErrorIds.BootEventStoreUnavailable, ErrorCategory.ConnectionError, stack));
            return null;
        }

        return store;
    }

    private static ErrorRecord NotShared(string fleetPath) => new(
        new InvalidOperationException($"The fleet file '{fleetPath}' names no shared store (storage.kind is journal): boot events and the inventory are shared with storage: {{ kind: postgresql }}."),
        ErrorIds.StoreNotShared, ErrorCategory.InvalidOperation, fleetPath);
}
