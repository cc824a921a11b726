namespace NodeFoundry.Boot;

/// <summary>How bad a <see cref="LintFinding"/> is.</summary>
public enum LintSeverity
{
    /// <summary>The boot or install works but something is likely unintended (it may slow down or need a look).</summary>
    Warning,

    /// <summary>The boot or install will fail, or stop and wait for a person at the console.</summary>
    Error,
}
