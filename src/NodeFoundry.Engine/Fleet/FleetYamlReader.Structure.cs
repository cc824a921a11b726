using NodeFoundry.Yaml;

namespace NodeFoundry.Fleet;

/// <summary>Mappings, lists, unknown keys, missing keys and YAML syntax errors.</summary>
internal sealed partial class FleetYamlReader
{
    // ---------------------------------------------------------------- structure

    private Map? OpenMap(YamlNode? node, string path, string what, IReadOnlyList<string>? keys, string example,
        bool allowExtensions = false, bool secretKeys = false, bool installSecrets = false)
    {
        if (node is null || IsNull(node))
        {
            return null;
        }

        _diag.Remember(path, node);
        if (node is not YamlMappingNode mapping)
        {
            NotMapping(node, path, example);
            return null;
        }

        var map = new Map(mapping, path);
        foreach ((YamlNode keyNode, YamlNode value) in mapping.Children)
        {
            if (keyNode is not YamlScalarNode keyScalar || string.IsNullOrEmpty(keyScalar.Value))
            {
                _diag.At(keyNode, path, $"A key in {what} is not plain text.", "Write each key as a plain word followed by ': ', such as 'address: 192.0.2.1'.",
                    value: string.Empty);
                continue;
            }

            string key = keyScalar.Value;
            string childPath = map.Child(key);
            if (keys is null || keys.Contains(key, StringComparer.Ordinal))
            {
                map.Known[key] = (keyScalar, value);
                _diag.Remember(childPath, IsNull(value) ? keyScalar : value);
                continue;
            }

            if (allowExtensions && key.StartsWith("x-", StringComparison.Ordinal))
            {
                continue;
            }

            if (key == "<<")
            {
                _diag.At(keyScalar, childPath, "YAML merge keys ('<<') are not supported in fleet files.",
                    "Write the keys out in full; anchors and aliases on whole values ('bmc: *defaults') do work.");
                continue;
            }

            if (secretKeys && SecretKeys.Contains(key, StringComparer.OrdinalIgnoreCase))
            {
                _diag.At(keyScalar, childPath, $"'{key}' does not belong in a fleet file: BMC user names and passwords are never stored in it.",
                    "Store them in a credential store (for example a SecretManagement vault) and write its name here as 'credential: lab-bmc'.");
                continue;
            }

            if (installSecrets && InstallSecretKeys.Contains(key, StringComparer.OrdinalIgnoreCase))
            {
                _diag.At(keyScalar, childPath, $"'{key}' does not belong in a fleet file: passwords are never stored in it, not even hashed.",
                    "Put the crypt(3) hash (openssl passwd -6) in a file or an environment variable and reference it as 'passwordHash: file:secrets/ops.hash' or 'passwordHash: env:NF_OPS_HASH'.");
                continue;
            }

            string? suggestion = Suggestions.Closest(key, keys);
            _diag.At(keyScalar, childPath, $"'{key}' is not a known key of {what}.",
                suggestion is not null
                    ? $"Did you mean '{suggestion}'? Rename the key."
                    : $"Remove it; the keys of {what} are: {string.Join(", ", keys)}.");
        }

        return map;
    }

    private YamlSequenceNode? OpenSequence(Map map, string key, string example)
    {
        YamlNode? node = map.Value(key);
        if (node is null)
        {
            return null;
        }

        if (node is YamlSequenceNode sequence)
        {
            return sequence;
        }

        _diag.At(node, map.Child(key), $"'{key}' must be a list (entries starting with '- '), not a {Describe(node)}.",
            $"Write each entry on its own line starting with '- ', such as '{example}'.", value: (node as YamlScalarNode)?.Value);
        return null;
    }

    private void NotMapping(YamlNode node, string path, string example) =>
        _diag.At(node, path, $"{(path.Length == 0 ? "The fleet file" : $"'{path}'")} must be a mapping of keys, not a {Describe(node)}.",
            $"Indent its keys under it, as in '{example}'.");

    private void NotScalar(YamlNode node, string path, string key, string expectation) =>
        _diag.At(node, path, $"'{key}' must be a single value, not a {Describe(node)}.", $"Write {expectation} after '{key}: '.");

    private void Missing(Map map, string key, string fix)
    {
        string path = map.Child(key);
        if (map.Known.TryGetValue(key, out (YamlScalarNode Key, YamlNode Value) entry))
        {
            _diag.At(entry.Value, path, $"'{key}' has no value.", fix, value: string.Empty);
        }
        else
        {
            string where = map.Path.Length == 0 ? "the fleet file" : $"'{map.Path}'";
            _diag.At(map.Node, path, $"The required key '{key}' is missing from {where}.", fix, value: null);
        }
    }

    private void ReportSyntax(YamlSyntaxException ex)
    {
        string message = ex.Message;
        string fix;
        if (message.Contains("tab", StringComparison.OrdinalIgnoreCase))
        {
            fix = "Indent with spaces only; YAML forbids tabs in indentation.";
        }
        else if (message.StartsWith("Duplicate key", StringComparison.Ordinal))
        {
            fix = "Each key may appear once per mapping: remove or merge the repeated key.";
        }
        else if (message.Contains("mapping", StringComparison.OrdinalIgnoreCase) || message.Contains("expected key", StringComparison.OrdinalIgnoreCase))
        {
            fix = "Check this line's indentation against its neighbours, and quote values that contain ': ' or start with a special character (such as cmdline: \"a: b\").";
        }
        else
        {
            fix = "Check the indentation and quoting at this position: keys are followed by ': ', list entries start with '- ', and brackets and quotes must be closed.";
        }

        int line = ex.Start.Line;
        int column = ex.Start.Column;
        if (message.Contains("tab", StringComparison.OrdinalIgnoreCase) && FindIndentTab(line) is (int tabLine, int tabColumn))
        {
            // The parser marks the start of the enclosing block; point at the tab itself.
            (line, column) = (tabLine, tabColumn);
        }

        string lineText = SourceLine(line);
        _diag.Add(line, column, string.Empty, lineText, $"YAML syntax error: {message.TrimEnd('.')} (in '{lineText}').", fix);
    }

    private (int Line, int Column)? FindIndentTab(int fromLine)
    {
        string[] lines = _text.Split('\n');
        for (int i = Math.Max(0, fromLine - 1); i < lines.Length; i++)
        {
            string indent = lines[i][..(lines[i].Length - lines[i].TrimStart(' ', '\t').Length)];
            int tab = indent.IndexOf('\t', StringComparison.Ordinal);
            if (tab >= 0)
            {
                return (i + 1, tab + 1);
            }
        }

        return null;
    }

    private string SourceLine(long line)
    {
        string[] lines = _text.Split('\n');
        return line >= 1 && line <= lines.Length ? lines[line - 1].TrimEnd('\r').Trim() : string.Empty;
    }

    // ---------------------------------------------------------------- helpers

    internal static bool IsNull(YamlNode node) =>
        node is YamlScalarNode { IsPlain: true } scalar
        && scalar.Value is "" or "~" or "null" or "Null" or "NULL";

    internal static bool IsHostName(string text)
    {
        if (text.Length is 0 or > 253)
        {
            return false;
        }

        foreach (string label in text.Split('.'))
        {
            if (label.Length is 0 or > 63 || label[0] == '-' || label[^1] == '-' || !label.All(c => char.IsAsciiLetterOrDigit(c) || c == '-'))
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsNodeName(string text) =>
        text.Length is > 0 and <= 63 && char.IsAsciiLetterOrDigit(text[0])
        && text.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_');

    private static bool IsProfileName(string text) =>
        text.Length is > 0 and <= 128 && char.IsAsciiLetterOrDigit(text[0])
        && text.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_');

    private static string HostNameHint(string name)
    {
        string hint = new string(name.Select(c => char.IsAsciiLetterOrDigit(c) || c is '.' ? c : '-').ToArray()).Trim('-', '.');
        return hint.Length == 0 ? "node01" : hint;
    }

    private static string Describe(YamlNode node) => node switch
    {
        YamlMappingNode => "mapping",
        YamlSequenceNode => "list",
        _ => "single value",
    };

    private sealed class Map(YamlMappingNode node, string path)
    {
        public YamlMappingNode Node { get; } = node;

        public string Path { get; } = path;

        /// <summary>Recognised keys, in file order.</summary>
        public Dictionary<string, (YamlScalarNode Key, YamlNode Value)> Known { get; } = new(StringComparer.Ordinal);

        public string Child(string key) => Path.Length == 0 ? key : Path + "." + key;

        /// <summary>The key's value, or null when the key is absent or explicitly null.</summary>
        public YamlNode? Value(string key) =>
            Known.TryGetValue(key, out (YamlScalarNode Key, YamlNode Value) entry) && !IsNull(entry.Value) ? entry.Value : null;
    }
}
