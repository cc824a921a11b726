namespace NodeFoundry.Host;

/// <summary>
/// <c>--name value</c> and <c>--flag</c> pairs. Deliberately tiny: the host has few options, and a
/// dependency-free parser keeps the service binary small.
/// </summary>
internal sealed class ArgumentReader
{
    private readonly Dictionary<string, string?> _values = new(StringComparer.Ordinal);

    public static ArgumentReader Parse(IEnumerable<string> args)
    {
        var reader = new ArgumentReader();
        string? pending = null;
        foreach (var arg in args)
        {
            if (arg.StartsWith("--", StringComparison.Ordinal))
            {
                if (pending is not null)
                {
                    reader._values[pending] = null;
                }

                pending = arg[2..];
            }
            else if (pending is not null)
            {
                reader._values[pending] = arg;
                pending = null;
            }
            else
            {
                throw new UsageException($"unexpected argument '{arg}'; options are written --name value");
            }
        }

        if (pending is not null)
        {
            reader._values[pending] = null;
        }

        return reader;
    }

    public bool Has(string name) => _values.ContainsKey(name);

    public string? Get(string name) => _values.TryGetValue(name, out var value) ? value : null;

    public string Require(string name) =>
        Get(name) ?? throw new UsageException($"--{name} is required");

    public int? GetInt(string name)
    {
        var text = Get(name);
        if (text is null)
        {
            return null;
        }

        return int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var value) && value <= 65535
            ? value
            : throw new UsageException($"--{name} '{text}' is not a port number; give 0 to 65535");
    }

    /// <summary>A whole number from <paramref name="min"/> to <paramref name="max"/>; <paramref name="fallback"/> when absent.</summary>
    public int GetNumber(string name, int fallback, int min, int max)
    {
        var text = Get(name);
        if (text is null)
        {
            return fallback;
        }

        return int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var value) && value >= min && value <= max
            ? value
            : throw new UsageException($"--{name} '{text}' must be a whole number from {min} to {max}");
    }

    /// <summary>A percentage from 0 to 100 (fractions allowed); 0 when absent.</summary>
    public double GetPercent(string name)
    {
        var text = Get(name);
        if (text is null)
        {
            return 0;
        }

        return double.TryParse(text, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var value) && value is >= 0 and <= 100
            ? value
            : throw new UsageException($"--{name} '{text}' must be a percentage from 0 to 100");
    }
}
