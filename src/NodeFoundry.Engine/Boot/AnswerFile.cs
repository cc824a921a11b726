namespace NodeFoundry.Boot;

/// <summary>A rendered answer file (or NoCloud seed file) with its lint findings.</summary>
public sealed record AnswerFile
{
    /// <summary>The node's name.</summary>
    public required string NodeName { get; init; }

    /// <summary>The node's boot MAC (lower-case, colons).</summary>
    public required string MacAddress { get; init; }

    /// <summary>Which file.</summary>
    public required AnswerFileKind Kind { get; init; }

    /// <summary>The route it is served at, such as <c>nocloud/{mac}/user-data</c> or <c>ks/{mac}.cfg</c>.</summary>
    public required string Route { get; init; }

    /// <summary>The absolute URL it is served at.</summary>
    public required string Url { get; init; }

    /// <summary>The file's content.</summary>
    public required string Text { get; init; }

    /// <summary>What the lint (and secret resolution) found; empty when nothing.</summary>
    public IReadOnlyList<LintFinding> Findings { get; init; } = [];

    /// <summary>True when no finding is an error.</summary>
    public bool IsValid => Findings.All(f => f.Severity != LintSeverity.Error);

    /// <summary>The file it was written to, when it was.</summary>
    public string? Path { get; init; }
}
