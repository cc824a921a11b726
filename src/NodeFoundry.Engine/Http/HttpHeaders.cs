namespace NodeFoundry.Http;

/// <summary>
/// Request header fields in arrival order, looked up case-insensitively. A list, not a dictionary:
/// heads are small (the limits keep them so), and a list keeps duplicates visible, which the parser
/// needs to reject smuggling-shaped heads (two Hosts, two Content-Lengths).
/// </summary>
public sealed class HttpHeaders
{
    private readonly List<KeyValuePair<string, string>> _fields = [];

    public int Count => _fields.Count;

    public IReadOnlyList<KeyValuePair<string, string>> Fields => _fields;

    /// <summary>The first value of <paramref name="name"/>, or null.</summary>
    public string? Get(string name)
    {
        foreach (var field in _fields)
        {
            if (string.Equals(field.Key, name, StringComparison.OrdinalIgnoreCase))
            {
                return field.Value;
            }
        }

        return null;
    }

    /// <summary>How many fields named <paramref name="name"/> arrived.</summary>
    public int CountOf(string name)
    {
        var count = 0;
        foreach (var field in _fields)
        {
            if (string.Equals(field.Key, name, StringComparison.OrdinalIgnoreCase))
            {
                count++;
            }
        }

        return count;
    }

    /// <summary>Every value of <paramref name="name"/>, in arrival order.</summary>
    public IEnumerable<string> GetAll(string name) =>
        _fields.Where(f => string.Equals(f.Key, name, StringComparison.OrdinalIgnoreCase)).Select(f => f.Value);

    /// <summary>True when a comma-separated field (Connection, …) holds <paramref name="token"/>.</summary>
    public bool HasToken(string name, string token)
    {
        foreach (var value in GetAll(name))
        {
            foreach (var part in value.Split(','))
            {
                if (part.Trim().Equals(token, StringComparison.OrdinalIgnoreCase))
                {
                    return true;
                }
            }
        }

        return false;
    }

    internal void Add(string name, string value) => _fields.Add(new(name, value));
}
