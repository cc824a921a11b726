namespace NodeFoundry.Boot;

/// <summary>The rendered content of one per-node route, as the HTTP server serves it (<c>text/plain; charset=utf-8</c>).</summary>
/// <param name="Route">The route, with its canonical path.</param>
/// <param name="Text">The content.</param>
/// <param name="Findings">What the lint found in it.</param>
public sealed record RenderedRoute(BootRoute Route, string Text, IReadOnlyList<LintFinding> Findings);
