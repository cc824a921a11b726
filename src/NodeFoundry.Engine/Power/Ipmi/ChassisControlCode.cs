namespace NodeFoundry.Power.Ipmi;

/// <summary>Chassis Control request data (IPMI v2.0 table 28-4), from a <see cref="PowerAction"/>.</summary>
public static class ChassisControlCode
{
    /// <summary>00h power down, 01h power up, 02h power cycle, 03h hard reset, 05h soft shutdown (ACPI overtemp emulation).</summary>
    public static byte For(PowerAction action) => action switch
    {
        PowerAction.Off => 0x00,
        PowerAction.On => 0x01,
        PowerAction.Cycle => 0x02,
        PowerAction.Reset => 0x03,
        PowerAction.SoftOff => 0x05,
        _ => throw new ArgumentOutOfRangeException(nameof(action), action, "no chassis control code for this action"),
    };
}
