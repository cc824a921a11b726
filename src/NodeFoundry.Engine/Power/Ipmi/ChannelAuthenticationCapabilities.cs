using System.Diagnostics.CodeAnalysis;

namespace NodeFoundry.Power.Ipmi;

/// <summary>
/// Get Channel Authentication Capabilities (IPMI v2.0 section 22.13). Request data: channel (0Eh = this channel, bit 7
/// set to ask for IPMI v2.0 extended data) and the requested privilege. Response data: channel, v1.5 auth type
/// support (bit 7: extended capabilities present), login status bits, extended capabilities (bit 1: IPMI v2.0
/// connections supported), OEM ID (3), OEM auxiliary data.
/// </summary>
public sealed record ChannelAuthenticationCapabilities(byte Channel, bool SupportsIpmi20, bool KgSet, bool AnonymousLogin)
{
    /// <summary>Request data asking about the current channel with v2.0 extended data, for <paramref name="privilege"/>.</summary>
    public static byte[] RequestData(IpmiPrivilegeLevel privilege) => [0x8E, (byte)privilege];

    /// <summary>Parses the response data (after the completion code); never throws.</summary>
    public static bool TryParse(ReadOnlySpan<byte> data, [NotNullWhen(true)] out ChannelAuthenticationCapabilities? capabilities, [NotNullWhen(false)] out string? error)
    {
        capabilities = null;
        if (data.Length < 8)
        {
            error = $"Get Channel Authentication Capabilities answered {data.Length} data bytes, expected 8";
            return false;
        }

        var extended = (data[1] & 0x80) != 0;
        capabilities = new ChannelAuthenticationCapabilities(
            data[0],
            extended && (data[3] & 0x02) != 0,
            (data[2] & 0x20) != 0,
            (data[2] & 0x01) != 0);
        error = null;
        return true;
    }
}
