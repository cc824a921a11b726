namespace NodeFoundry.Power.Redfish;

/// <summary>
/// Reads a Redfish Task's <c>TaskState</c> (DMTF Task schema: New, Starting, Running, Suspended, Interrupted, Pending,
/// Stopping, Cancelling, Service — still going; Completed — done; Killed, Exception, Cancelled — failed). Pure.
/// </summary>
public static class RedfishTaskState
{
    /// <summary>True when the task has finished, successfully or not.</summary>
    public static bool IsFinished(string state) => IsSucceeded(state) || IsFailed(state);

    /// <summary>True for Completed.</summary>
    public static bool IsSucceeded(string state) => state == "Completed";

    /// <summary>True for Killed, Exception and Cancelled.</summary>
    public static bool IsFailed(string state) => state is "Killed" or "Exception" or "Cancelled";
}
