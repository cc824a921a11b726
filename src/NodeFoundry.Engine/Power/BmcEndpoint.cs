namespace NodeFoundry.Power;

/// <summary>Where a BMC listens and how to reach it.</summary>
/// <param name="Host">IP address or host name.</param>
/// <param name="Protocol">IPMI or Redfish.</param>
/// <param name="Port">Port; null for the protocol's default (623 IPMI, 443 Redfish).</param>
/// <param name="SkipCertificateCheck">Redfish only: accept any TLS certificate (lab BMCs with self-signed certificates). Explicit opt-out; never the default.</param>
/// <param name="UseTls">Redfish only: https (default) or plain http (test servers).</param>
public sealed record BmcEndpoint(string Host, BmcProtocol Protocol, int? Port = null, bool SkipCertificateCheck = false, bool UseTls = true)
{
    /// <summary>The port actually used.</summary>
    public int EffectivePort => Port ?? (Protocol == BmcProtocol.Ipmi ? 623 : UseTls ? 443 : 80);

    /// <inheritdoc />
    public override string ToString() => $"{Protocol.ToString().ToLowerInvariant()}://{Host}:{EffectivePort}";
}
