namespace NodeFoundry.Fleet;

/// <summary>Thrown by <see cref="FleetLoader.LoadFileOrThrow"/> when a fleet file has errors; carries all of them.</summary>
public sealed class FleetValidationException : Exception
{
    /// <summary>Creates the exception for <paramref name="errors"/>; its message lists every error, one per line.</summary>
    public FleetValidationException(IReadOnlyList<FleetError> errors)
        : base(BuildMessage(errors))
    {
        Errors = errors;
    }

    /// <summary>Creates an exception with no individual errors.</summary>
    public FleetValidationException()
        : this([])
    {
    }

    /// <summary>Creates an exception with a message and no individual errors.</summary>
    public FleetValidationException(string message)
        : base(message)
    {
        Errors = [];
    }

    /// <summary>Creates an exception with a message, an inner exception and no individual errors.</summary>
    public FleetValidationException(string message, Exception innerException)
        : base(message, innerException)
    {
        Errors = [];
    }

    /// <summary>Every error found in the fleet file.</summary>
    public IReadOnlyList<FleetError> Errors { get; }

    private static string BuildMessage(IReadOnlyList<FleetError> errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        string header = errors.Count == 1 ? "The fleet file has 1 error:" : $"The fleet file has {errors.Count} errors:";
        return string.Join(Environment.NewLine, errors.Select(e => e.ToString()).Prepend(header));
    }
}
