namespace NodeFoundry.Power;

/// <summary>What to do to a node's power, out of band.</summary>
public enum PowerAction
{
    /// <summary>Leave power alone (only set the boot device).</summary>
    None,

    /// <summary>Power on (no-op when already on).</summary>
    On,

    /// <summary>Hard power off.</summary>
    Off,

    /// <summary>Power off, then on; powers on a node that was off.</summary>
    Cycle,

    /// <summary>Hard reset (warm reboot without removing power).</summary>
    Reset,

    /// <summary>Ask the operating system to shut down (ACPI soft-off).</summary>
    SoftOff,
}
