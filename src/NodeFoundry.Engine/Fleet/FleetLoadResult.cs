namespace NodeFoundry.Fleet;

/// <summary>The outcome of loading a fleet file: a fleet, or every error found — never both.</summary>
public sealed class FleetLoadResult
{
    internal FleetLoadResult(FleetConfig? fleet, IReadOnlyList<FleetError> errors)
    {
        Fleet = errors.Count == 0 ? fleet : null;
        Errors = errors;
    }

    /// <summary>The fleet; null whenever <see cref="Errors"/> is not empty (nothing is half-applied).</summary>
    public FleetConfig? Fleet { get; }

    /// <summary>Every problem found, in file order.</summary>
    public IReadOnlyList<FleetError> Errors { get; }

    /// <summary>True when the file loaded without errors and <see cref="Fleet"/> is set.</summary>
    public bool IsValid => Errors.Count == 0 && Fleet is not null;
}
