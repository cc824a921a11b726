namespace NodeFoundry.Http;

/// <summary>What a Range header asks of one representation.</summary>
public enum RangeKind
{
    /// <summary>No usable Range (absent, not <c>bytes=</c>, malformed, or too many ranges): send the whole representation with 200.</summary>
    Full,

    /// <summary>At least one range is satisfiable: 206.</summary>
    Partial,

    /// <summary>Well-formed, but no range overlaps the representation: 416 with <c>Content-Range: bytes */length</c>.</summary>
    Unsatisfiable,
}
