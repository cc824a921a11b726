using System.Globalization;

namespace NodeFoundry.Fleet;

/// <summary>
/// One problem in a fleet file, placed precisely enough to fix without guessing.
/// </summary>
/// <param name="File">The file name as given to the loader.</param>
/// <param name="Line">1-based line.</param>
/// <param name="Column">1-based column.</param>
/// <param name="Field">Path of the offending key, such as <c>nodes[2].mac</c> (sequence indexes are 0-based); empty for YAML syntax errors.</param>
/// <param name="Value">The offending text as written, or null when there is none (a missing key, a mapping).</param>
/// <param name="Message">What is wrong; names the value when there is one.</param>
/// <param name="Fix">A concrete way to fix it.</param>
public sealed record FleetError(string File, int Line, int Column, string Field, string? Value, string Message, string Fix)
{
    /// <summary>Compiler-style text: <c>lab.yaml:14:10: nodes[2].mac: '52:54:00:zz' is not a MAC address. Fix: …</c></summary>
    public override string ToString()
    {
        string field = Field.Length == 0 ? string.Empty : Field + ": ";
        return string.Create(CultureInfo.InvariantCulture, $"{File}:{Line}:{Column}: {field}{Message} Fix: {Fix}");
    }
}
