using System.Diagnostics.CodeAnalysis;

namespace NodeFoundry.Power.Ipmi;

/// <summary>
/// Get Chassis Status response data (IPMI v2.0 table 28-3). Byte 1 "current power state": bit 0 power is on, bit 1
/// overload, bit 2 interlock, bit 3 main power fault, bit 4 power control fault, bits 6:5 restore policy.
/// </summary>
public sealed record ChassisStatus(bool PowerOn, bool PowerFault, bool PowerControlFault)
{
    /// <summary>The power state for <see cref="IBmcClient"/>.</summary>
    public PowerState PowerState => PowerOn ? PowerState.On : PowerState.Off;

    /// <summary>Parses the response data (after the completion code); never throws.</summary>
    public static bool TryParse(ReadOnlySpan<byte> data, [NotNullWhen(true)] out ChassisStatus? status, [NotNullWhen(false)] out string? error)
    {
        status = null;
        if (data.Length < 3)
        {
            error = $"Get Chassis Status answered {data.Length} data bytes, expected at least 3";
            return false;
        }

        status = new ChassisStatus((data[0] & 0x01) != 0, (data[0] & 0x08) != 0, (data[0] & 0x10) != 0);
        error = null;
        return true;
    }
}
