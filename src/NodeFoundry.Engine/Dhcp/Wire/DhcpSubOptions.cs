namespace NodeFoundry.Dhcp.Wire;

/// <summary>
/// Code/length/value sub-options nested inside one option (43, 82, 175). Shared so every
/// encapsulated format is read with the same bounds checks.
/// </summary>
internal static class DhcpSubOptions
{
    /// <summary>
    /// Reads sub-options until the data ends, is truncated, or (when <paramref name="padAndEnd"/>)
    /// an End (255) appears; Pad (0) is skipped in that mode. Malformed tails are dropped rather
    /// than reported: these are hints for policy, and what was readable is still worth having.
    /// A repeated code keeps its first value.
    /// </summary>
    public static Dictionary<byte, byte[]> Parse(ReadOnlySpan<byte> data, bool padAndEnd)
    {
        var result = new Dictionary<byte, byte[]>();
        int i = 0;
        while (i < data.Length)
        {
            byte code = data[i];
            if (padAndEnd && code == 0)
            {
                i++;
                continue;
            }

            if (padAndEnd && code == 255)
            {
                break;
            }

            if (i + 1 >= data.Length)
            {
                break;
            }

            int length = data[i + 1];
            if (i + 2 + length > data.Length)
            {
                break;
            }

            result.TryAdd(code, data.Slice(i + 2, length).ToArray());
            i += 2 + length;
        }

        return result;
    }
}
