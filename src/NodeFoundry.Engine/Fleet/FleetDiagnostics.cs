using NodeFoundry.Yaml;

namespace NodeFoundry.Fleet;

/// <summary>
/// Collects <see cref="FleetError"/>s while a fleet file is read and checked. Remembers where each field's value
/// sits so later (cross-field) checks can point at it by field path alone.
/// </summary>
internal sealed class FleetDiagnostics
{
    private readonly List<FleetError> _errors = [];
    private readonly Dictionary<string, YamlNode> _locations = new(StringComparer.Ordinal);

    public FleetDiagnostics(string file)
    {
        File = file;
    }

    public string File { get; }

    public int Count => _errors.Count;

    /// <summary>Errors in file order (line, then column; report order among equals).</summary>
    public IReadOnlyList<FleetError> Errors =>
        _errors.OrderBy(e => e.Line).ThenBy(e => e.Column).ToList().AsReadOnly();

    public void Remember(string path, YamlNode node) => _locations[path] = node;

    /// <summary>Reports at an explicit node; <paramref name="value"/> defaults to the node's text when it is a scalar.</summary>
    public void At(YamlNode node, string path, string message, string fix, string? value = null) =>
        Add(node.Start.Line, node.Start.Column, path, value ?? (node as YamlScalarNode)?.Value, message, fix);

    /// <summary>Reports at the remembered value of <paramref name="path"/> (or its nearest remembered parent).</summary>
    public void At(string path, string message, string fix)
    {
        YamlNode? node = Find(path);
        if (node is null)
        {
            Add(1, 1, path, null, message, fix);
        }
        else
        {
            // Only the field's own scalar is its value; a parent's location carries no value.
            string? value = _locations.ContainsKey(path) ? (node as YamlScalarNode)?.Value : null;
            Add(node.Start.Line, node.Start.Column, path, value, message, fix);
        }
    }

    public void Add(int line, int column, string path, string? value, string message, string fix) =>
        _errors.Add(new FleetError(File, line, column, path, value, message, fix));

    /// <summary>The text of the scalar remembered at <paramref name="path"/>, as written.</summary>
    public string? TextAt(string path) => (_locations.GetValueOrDefault(path) as YamlScalarNode)?.Value;

    public static int ToInt(long value) => (int)Math.Clamp(value, 1L, int.MaxValue);

    private YamlNode? Find(string path)
    {
        string? current = path;
        while (!string.IsNullOrEmpty(current))
        {
            if (_locations.TryGetValue(current, out YamlNode? node))
            {
                return node;
            }

            int cut = Math.Max(current.LastIndexOf('.'), current.LastIndexOf('['));
            current = cut > 0 ? current[..cut] : null;
        }

        return _locations.GetValueOrDefault(string.Empty);
    }
}
