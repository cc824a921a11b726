namespace NodeFoundry.Power;

/// <summary>
/// Turns a BMC address as an operator writes it (fleet file <c>nodes[].bmc</c>, <c>-BmcAddress</c>) into a
/// <see cref="BmcEndpoint"/>. A plain host or IP is the usual form; for Redfish a URL is also accepted, and
/// <c>http://</c> is how a lab BMC or emulator without TLS is named (never the default).
/// </summary>
public static class BmcAddress
{
    /// <summary>Parses a protocol name as the fleet file writes it (<c>ipmi</c>, <c>redfish</c>; case-insensitive).</summary>
    public static bool TryParseProtocol(string? text, out BmcProtocol protocol)
    {
        protocol = BmcProtocol.Ipmi;
        if (string.Equals(text, "ipmi", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        if (string.Equals(text, "redfish", StringComparison.OrdinalIgnoreCase))
        {
            protocol = BmcProtocol.Redfish;
            return true;
        }

        return false;
    }

    /// <summary>The endpoint for an address; a URL's port wins over <paramref name="port"/> only when the URL names one.</summary>
    /// <exception cref="ArgumentException">The address is empty, or a URL for IPMI, or a URL with a path or credentials.</exception>
    public static BmcEndpoint ToEndpoint(string address, BmcProtocol protocol, int? port = null, bool skipCertificateCheck = false)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(address);
        if (!address.Contains("://", StringComparison.Ordinal))
        {
            return new BmcEndpoint(address.Trim(), protocol, port, skipCertificateCheck);
        }

        if (protocol != BmcProtocol.Redfish)
        {
            throw new ArgumentException($"'{address}': a URL names a Redfish BMC; IPMI takes a host name or address", nameof(address));
        }

        if (!Uri.TryCreate(address, UriKind.Absolute, out Uri? uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            throw new ArgumentException($"'{address}' is not an http:// or https:// URL", nameof(address));
        }

        if (uri.UserInfo.Length > 0 || uri.AbsolutePath is not ("/" or "/redfish/v1" or "/redfish/v1/"))
        {
            // Credentials travel in -Credential only, never in an address that may be logged.
            throw new ArgumentException($"'{uri.Scheme}://{uri.Host}': give only scheme, host and port (credentials go in -Credential)", nameof(address));
        }

        return new BmcEndpoint(uri.Host, BmcProtocol.Redfish, uri.IsDefaultPort ? port : uri.Port, skipCertificateCheck, UseTls: uri.Scheme == Uri.UriSchemeHttps);
    }
}
