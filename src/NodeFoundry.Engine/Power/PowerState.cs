namespace NodeFoundry.Power;

/// <summary>A node's power state as its BMC reports it.</summary>
public enum PowerState
{
    /// <summary>Not read (the action failed before readback, or the BMC did not say).</summary>
    Unknown,

    /// <summary>Powered on.</summary>
    On,

    /// <summary>Powered off.</summary>
    Off,
}
