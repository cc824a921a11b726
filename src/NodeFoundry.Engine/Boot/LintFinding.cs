using System.Globalization;

namespace NodeFoundry.Boot;

/// <summary>One problem found in a rendered boot script or answer file.</summary>
/// <param name="Code">Stable identifier, such as <c>NF-NOCLOUD-SLASH</c> (scripts may match on it).</param>
/// <param name="Severity">Error (the boot or install fails or stops) or warning.</param>
/// <param name="Line">1-based line of the text the finding is about; 0 when it is about the whole text.</param>
/// <param name="Message">What is wrong.</param>
/// <param name="Fix">How to fix it.</param>
public sealed record LintFinding(string Code, LintSeverity Severity, int Line, string Message, string Fix)
{
    /// <summary>Compiler-style text: <c>error NF-NOCLOUD-SLASH (line 9): … Fix: …</c>.</summary>
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture,
            $"{(Severity == LintSeverity.Error ? "error" : "warning")} {Code}{(Line > 0 ? $" (line {Line})" : string.Empty)}: {Message} Fix: {Fix}");
}
