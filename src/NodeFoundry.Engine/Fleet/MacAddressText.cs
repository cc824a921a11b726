using System.Net.NetworkInformation;

namespace NodeFoundry.Fleet;

/// <summary>
/// MAC addresses as the fleet file writes them: <c>52:54:00:00:00:01</c>, <c>52-54-00-00-00-01</c> or
/// <c>525400000001</c>, in any case.
/// </summary>
public static class MacAddressText
{
    /// <summary>Parses a 6-byte MAC address in one of the accepted forms (one separator style throughout).</summary>
    public static bool TryParse(string? text, out PhysicalAddress address)
    {
        address = PhysicalAddress.None;
        if (text is null)
        {
            return false;
        }

        string hex;
        if (text.Length == 12)
        {
            hex = text;
        }
        else if (text.Length == 17 && (text[2] == ':' || text[2] == '-'))
        {
            char separator = text[2];
            for (int i = 2; i < 17; i += 3)
            {
                if (text[i] != separator)
                {
                    return false;
                }
            }

            hex = string.Concat(text.Where((_, i) => i % 3 != 2));
        }
        else
        {
            return false;
        }

        if (!hex.All(char.IsAsciiHexDigit))
        {
            return false;
        }

        address = new PhysicalAddress(Convert.FromHexString(hex));
        return true;
    }

    /// <summary>Formats as lower-case colon pairs (<c>52:54:00:00:00:01</c>), the form iPXE's <c>${mac}</c> uses.</summary>
    public static string Format(PhysicalAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);

        // On the DHCP hot path (every iPXE script URL): one allocation, no LINQ.
        var bytes = address.GetAddressBytes();
        return string.Create(bytes.Length == 0 ? 0 : (bytes.Length * 3) - 1, bytes, static (span, b) =>
        {
            const string Hex = "0123456789abcdef";
            for (var i = 0; i < b.Length; i++)
            {
                if (i > 0)
                {
                    span[(i * 3) - 1] = ':';
                }

                span[i * 3] = Hex[b[i] >> 4];
                span[(i * 3) + 1] = Hex[b[i] & 0xF];
            }
        });
    }

    /// <summary>True for a group (multicast or broadcast) address, which no NIC boots from.</summary>
    public static bool IsMulticast(PhysicalAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        byte[] bytes = address.GetAddressBytes();
        return bytes.Length > 0 && (bytes[0] & 1) != 0;
    }
}
