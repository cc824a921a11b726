using System.Text;

namespace NodeFoundry.Http;

/// <summary>
/// A status line and header fields, written as one ASCII block. Values are checked when added: a CR or
/// LF in a header value (say a content type a route handler built from input) would split the response,
/// so it is refused with an exception at the point of the bug rather than sent.
/// </summary>
public sealed class HttpResponseHead
{
    private readonly List<KeyValuePair<string, string>> _fields = [];

    public HttpResponseHead(int statusCode)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(statusCode, 100);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(statusCode, 599);
        StatusCode = statusCode;
    }

    public int StatusCode { get; }

    public IReadOnlyList<KeyValuePair<string, string>> Fields => _fields;

    /// <summary>Adds a field; the name must be a token and the value printable ASCII (SP and HTAB allowed).</summary>
    public HttpResponseHead Add(string name, string value)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(value);
        foreach (var c in name)
        {
            if (c is <= ' ' or >= (char)0x7F or ':')
            {
                throw new ArgumentException($"'{name}' is not a valid header name", nameof(name));
            }
        }

        foreach (var c in value)
        {
            if (c is < ' ' and not '\t' or >= (char)0x7F)
            {
                throw new ArgumentException($"the value of header '{name}' holds a control or non-ASCII character", nameof(value));
            }
        }

        _fields.Add(new(name, value));
        return this;
    }

    /// <summary>The first value of <paramref name="name"/>, or null.</summary>
    public string? Get(string name) =>
        _fields.FirstOrDefault(f => string.Equals(f.Key, name, StringComparison.OrdinalIgnoreCase)).Value;

    /// <summary>Bytes <see cref="WriteTo"/> writes.</summary>
    public int ByteCount
    {
        get
        {
            var count = 9 + 3 + 1 + HttpStatus.ReasonPhrase(StatusCode).Length + 2 + 2;
            foreach (var pair in _fields)
            {
                count += pair.Key.Length + 2 + pair.Value.Length + 2;
            }

            return count;
        }
    }

    /// <summary>Writes <c>HTTP/1.1 code reason CRLF (name: value CRLF)* CRLF</c>; returns the bytes written.</summary>
    public int WriteTo(Span<byte> destination)
    {
        var builder = new StringBuilder(ByteCount);
        builder.Append("HTTP/1.1 ").Append(StatusCode).Append(' ').Append(HttpStatus.ReasonPhrase(StatusCode)).Append("\r\n");
        foreach (var field in _fields)
        {
            builder.Append(field.Key).Append(": ").Append(field.Value).Append("\r\n");
        }

        builder.Append("\r\n");
        return Encoding.ASCII.GetBytes(builder.ToString(), destination);
    }

    public byte[] ToArray()
    {
        var bytes = new byte[ByteCount];
        WriteTo(bytes);
        return bytes;
    }

    public override string ToString() => Encoding.ASCII.GetString(ToArray());
}
