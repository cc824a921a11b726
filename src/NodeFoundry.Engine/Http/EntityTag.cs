using System.Globalization;

namespace NodeFoundry.Http;

/// <summary>
/// Strong validators for files: the ETag is the length and modification time (like nginx), cheap to
/// compute from one stat and changed by any rewrite of the file. Strong, so If-Range may use it.
/// </summary>
public static class EntityTag
{
    public static string ForFile(long length, DateTimeOffset lastWriteUtc) =>
        string.Create(CultureInfo.InvariantCulture, $"\"{length:x}-{lastWriteUtc.UtcTicks:x}\"");

    /// <summary>If-None-Match: weak comparison over a list, or <c>*</c> (RFC 9110 §13.1.2).</summary>
    public static bool MatchesAny(string header, string etag)
    {
        var opaque = Opaque(etag);
        foreach (var part in header.Split(','))
        {
            var candidate = part.Trim();
            if (candidate == "*" || Opaque(candidate) == opaque)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>If-Range with an entity tag: strong comparison, so a weak tag never matches (RFC 9110 §13.1.5).</summary>
    public static bool StrongEquals(string candidate, string etag) =>
        !candidate.StartsWith("W/", StringComparison.Ordinal) && candidate.Trim() == etag;

    private static string Opaque(string tag) => tag.StartsWith("W/", StringComparison.Ordinal) ? tag[2..] : tag;
}
