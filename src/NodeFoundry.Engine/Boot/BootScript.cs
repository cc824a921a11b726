namespace NodeFoundry.Boot;

/// <summary>A rendered iPXE script with its lint findings.</summary>
public sealed record BootScript
{
    /// <summary>The node's name, or null for a script that serves any node.</summary>
    public string? NodeName { get; init; }

    /// <summary>The node's boot MAC (lower-case, colons), or null.</summary>
    public string? MacAddress { get; init; }

    /// <summary>What the script does.</summary>
    public required BootScriptKind Kind { get; init; }

    /// <summary>The route it is served at (<c>boot/{mac}.ipxe</c>), or null without a MAC.</summary>
    public string? Route { get; init; }

    /// <summary>The absolute URL it is served at, or null when the route or base URL is unknown.</summary>
    public string? Url { get; init; }

    /// <summary>The script.</summary>
    public required string Text { get; init; }

    /// <summary>What the lint found; empty when nothing.</summary>
    public IReadOnlyList<LintFinding> Findings { get; init; } = [];

    /// <summary>True when no finding is an error.</summary>
    public bool IsValid => Findings.All(f => f.Severity != LintSeverity.Error);

    /// <summary>The file the script was written to, when it was.</summary>
    public string? Path { get; init; }
}
