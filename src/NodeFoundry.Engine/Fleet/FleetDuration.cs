using System.Globalization;
using System.Text;

namespace NodeFoundry.Fleet;

/// <summary>
/// Durations as the fleet file writes them: <c>30s</c>, <c>5m</c>, <c>12h</c>, <c>1d</c>, combinations from the
/// largest unit down such as <c>1h30m</c> or <c>1d12h</c>, or a bare integer of seconds (<c>300</c>).
/// </summary>
public static class FleetDuration
{
    /// <summary>Longest accepted duration: 2^32-1 seconds, the most a DHCP lease time (option 51) can say.</summary>
    public static TimeSpan MaxValue { get; } = TimeSpan.FromSeconds(uint.MaxValue);

    /// <summary>Parses <paramref name="text"/>; units are case-insensitive, each at most once, largest first.</summary>
    public static bool TryParse(string? text, out TimeSpan duration)
    {
        duration = TimeSpan.Zero;
        if (string.IsNullOrEmpty(text))
        {
            return false;
        }

        if (text.All(char.IsAsciiDigit))
        {
            if (text.Length > 10 || !ulong.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out ulong plain) || plain > uint.MaxValue)
            {
                return false;
            }

            duration = TimeSpan.FromSeconds(plain);
            return true;
        }

        long total = 0;
        int previousRank = int.MaxValue;
        int i = 0;
        while (i < text.Length)
        {
            int digitsStart = i;
            while (i < text.Length && char.IsAsciiDigit(text[i]))
            {
                i++;
            }

            int digits = i - digitsStart;
            if (digits is 0 or > 10 || i == text.Length)
            {
                return false;
            }

            ulong amount = ulong.Parse(text.AsSpan(digitsStart, digits), NumberStyles.None, CultureInfo.InvariantCulture);
            (int rank, long unitSeconds) = char.ToLowerInvariant(text[i]) switch
            {
                'd' => (3, 86_400L),
                'h' => (2, 3_600L),
                'm' => (1, 60L),
                's' => (0, 1L),
                _ => (-1, 0L),
            };
            if (rank < 0 || rank >= previousRank || amount > uint.MaxValue)
            {
                return false;
            }

            previousRank = rank;
            total += (long)amount * unitSeconds;
            if (total > uint.MaxValue)
            {
                return false;
            }

            i++;
        }

        duration = TimeSpan.FromSeconds(total);
        return true;
    }

    /// <summary>Formats whole seconds the way the fleet file writes them, for example <c>1h30m</c> or <c>0s</c>.</summary>
    public static string Format(TimeSpan duration)
    {
        long seconds = (long)Math.Floor(duration.TotalSeconds);
        if (seconds <= 0)
        {
            return "0s";
        }

        var text = new StringBuilder();
        Append(text, seconds / 86_400, 'd');
        Append(text, seconds % 86_400 / 3_600, 'h');
        Append(text, seconds % 3_600 / 60, 'm');
        Append(text, seconds % 60, 's');
        return text.ToString();

        static void Append(StringBuilder text, long amount, char unit)
        {
            if (amount > 0)
            {
                text.Append(amount.ToString(CultureInfo.InvariantCulture)).Append(unit);
            }
        }
    }
}
