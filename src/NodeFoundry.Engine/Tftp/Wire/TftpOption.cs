namespace NodeFoundry.Tftp.Wire;

/// <summary>
/// One option of a request or OACK (RFC 2347): a name and a value, both NUL-terminated ASCII on the wire.
/// Names compare case-insensitively (the RFC says so); values are kept as sent.
/// </summary>
public readonly record struct TftpOption(string Name, string Value)
{
    public bool Is(string name) => string.Equals(Name, name, StringComparison.OrdinalIgnoreCase);
}
