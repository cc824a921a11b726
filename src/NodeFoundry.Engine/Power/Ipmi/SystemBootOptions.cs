using System.Diagnostics.CodeAnalysis;

namespace NodeFoundry.Power.Ipmi;

/// <summary>
/// Set / Get System Boot Options request and response data (IPMI v2.0 sections 28.12-28.13). Set: parameter selector
/// (bit 7 marks the parameter invalid; NodeFoundry leaves it 0) then the parameter data. Get: parameter selector, set
/// selector, block selector; the answer is the parameter version (01h), the selector echoed (bit 7: invalid/locked),
/// then the data.
/// </summary>
public static class SystemBootOptions
{
    /// <summary>Parameter 0, "set in progress": data 01h starts a set, 00h completes it.</summary>
    public const byte SetInProgressParameter = 0;

    /// <summary>Parameter 4, "boot info acknowledge".</summary>
    public const byte BootInfoAcknowledgeParameter = 4;

    /// <summary>Set-in-progress value 01h: "set in progress".</summary>
    public const byte SetInProgress = 0x01;

    /// <summary>Set-in-progress value 00h: "set complete".</summary>
    public const byte SetComplete = 0x00;

    /// <summary>Set request data: selector then data.</summary>
    public static byte[] SetRequest(byte parameter, ReadOnlySpan<byte> data)
    {
        var bytes = new byte[1 + data.Length];
        bytes[0] = (byte)(parameter & 0x7F);
        data.CopyTo(bytes.AsSpan(1));
        return bytes;
    }

    /// <summary>
    /// Boot info acknowledge data as ipmitool writes it before setting flags: write-mask 01h, data 01h — clear the
    /// "BIOS/POST has handled the boot info" bit so the firmware reads the new flags.
    /// </summary>
    public static byte[] ClearBiosAcknowledge() => [0x01, 0x01];

    /// <summary>Get request data for <paramref name="parameter"/> (set and block selector 0).</summary>
    public static byte[] GetRequest(byte parameter) => [(byte)(parameter & 0x7F), 0x00, 0x00];

    /// <summary>Parses a Get answer: checks version and selector, returns the parameter data.</summary>
    public static bool TryParseGet(ReadOnlySpan<byte> data, byte parameter, [NotNullWhen(true)] out byte[]? parameterData, [NotNullWhen(false)] out string? error)
    {
        parameterData = null;
        if (data.Length < 2)
        {
            error = $"Get System Boot Options answered {data.Length} data bytes";
            return false;
        }

        if ((data[1] & 0x7F) != parameter)
        {
            error = $"Get System Boot Options answered parameter {data[1] & 0x7F}, asked for {parameter}";
            return false;
        }

        parameterData = data[2..].ToArray();
        error = null;
        return true;
    }
}
