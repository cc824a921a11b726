using System.Globalization;
using System.Text;

namespace NodeFoundry.Metrics;

/// <summary>
/// Writes the Prometheus text exposition format, version 0.0.4: per family a <c># HELP</c> and a <c># TYPE</c>
/// line, then its samples <c>name{label="value",…} value</c>, one per line, each family written once and whole.
/// Label values escape <c>\</c>, <c>"</c> and newline; help text escapes <c>\</c> and newline.
/// </summary>
public sealed class PrometheusWriter
{
    /// <summary>The Content-Type of the format.</summary>
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    private readonly StringBuilder _text = new();
    private readonly HashSet<string> _families = new(StringComparer.Ordinal);
    private string? _current;

    /// <summary>Starts family <paramref name="name"/> of <paramref name="type"/> (counter, gauge, untyped); its samples follow.</summary>
    public PrometheusWriter Family(string name, string type, string help)
    {
        RequireName(name, nameof(name));
        ArgumentNullException.ThrowIfNull(help);
        if (type is not ("counter" or "gauge" or "untyped"))
        {
            throw new ArgumentException($"metric type '{type}' is not counter, gauge or untyped", nameof(type));
        }

        if (!_families.Add(name))
        {
            throw new InvalidOperationException($"metric family '{name}' was written already; a family must be written in one piece");
        }

        _current = name;
        _text.Append("# HELP ").Append(name).Append(' ').Append(help.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal)).Append('\n');
        _text.Append("# TYPE ").Append(name).Append(' ').Append(type).Append('\n');
        return this;
    }

    /// <summary>A sample of the current family, with labels as name/value pairs.</summary>
    public PrometheusWriter Sample(long value, params (string Name, string Value)[] labels) =>
        Sample(value.ToString(CultureInfo.InvariantCulture), labels);

    /// <summary>A sample of the current family; NaN and infinities are written as Prometheus spells them.</summary>
    public PrometheusWriter Sample(double value, params (string Name, string Value)[] labels) =>
        Sample(
            double.IsNaN(value) ? "NaN" : double.IsPositiveInfinity(value) ? "+Inf" : double.IsNegativeInfinity(value) ? "-Inf" : value.ToString("R", CultureInfo.InvariantCulture),
            labels);

    /// <summary>The text written so far.</summary>
    public override string ToString() => _text.ToString();

    private PrometheusWriter Sample(string value, (string Name, string Value)[] labels)
    {
        ArgumentNullException.ThrowIfNull(labels);
        var name = _current ?? throw new InvalidOperationException("write Family(...) before its samples");
        _text.Append(name);
        if (labels.Length > 0)
        {
            _text.Append('{');
            for (var i = 0; i < labels.Length; i++)
            {
                RequireName(labels[i].Name, nameof(labels));
                if (labels[i].Name.Contains(':', StringComparison.Ordinal) || labels[i].Name.StartsWith("__", StringComparison.Ordinal))
                {
                    throw new ArgumentException($"'{labels[i].Name}' is not a valid label name", nameof(labels));
                }

                _text.Append(i == 0 ? string.Empty : ",").Append(labels[i].Name).Append("=\"").Append(EscapeLabelValue(labels[i].Value ?? string.Empty)).Append('"');
            }

            _text.Append('}');
        }

        _text.Append(' ').Append(value).Append('\n');
        return this;
    }

    /// <summary>Escapes a label value: backslash, double quote and line feed.</summary>
    public static string EscapeLabelValue(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);
    }

    /// <summary>True for a valid metric name: <c>[a-zA-Z_:][a-zA-Z0-9_:]*</c>.</summary>
    public static bool IsValidName(string? name) =>
        !string.IsNullOrEmpty(name)
        && (char.IsAsciiLetter(name[0]) || name[0] is '_' or ':')
        && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or ':');

    private static void RequireName(string name, string parameter)
    {
        if (!IsValidName(name))
        {
            throw new ArgumentException($"'{name}' is not a valid Prometheus name", parameter);
        }
    }
}
