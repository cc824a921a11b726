using System.Security.Cryptography;
using System.Text;

namespace NodeFoundry.Power.Ipmi;

/// <summary>
/// Opens an RMCP+ session (IPMI v2.0 section 13.15-13.21): Get Channel Authentication Capabilities (does the BMC speak
/// v2.0?), then for each proposed cipher suite, strongest first, Open Session until the BMC accepts one, then RAKP 1-4
/// — the BMC proves it knows the password (RAKP 2), we prove it (RAKP 3), both prove the same session key (RAKP 4).
/// The password key exists only for the duration of this call and is zeroed after.
/// </summary>
internal static class IpmiSessionHandshake
{
    public static async Task<IpmiSession> OpenAsync(IpmiUdpChannel channel, BmcEndpoint endpoint, BmcCredential credential, IpmiConnectOptions options, CancellationToken ct)
    {
        var userName = Encoding.UTF8.GetBytes(credential.UserName);
        if (userName.Length > Rakp1Message.MaxUserNameLength)
        {
            throw new BmcException(endpoint, BmcFailure.Authentication, $"user name '{credential.UserName}' is longer than IPMI's {Rakp1Message.MaxUserNameLength} bytes");
        }

        byte[] userKey;
        try
        {
            userKey = RakpCrypto.PasswordKey(credential.Password);
        }
        catch (ArgumentException ex)
        {
            throw new BmcException(endpoint, BmcFailure.Authentication, $"the password for user '{credential.UserName}' is longer than IPMI v2.0's {RakpCrypto.PasswordKeyLength} bytes", ex);
        }

        try
        {
            await CheckChannelAsync(channel, endpoint, options, ct).ConfigureAwait(false);
            var refusals = new List<string>();
            foreach (var id in options.CipherSuites)
            {
                var suite = IpmiCipherSuite.FromId(id)!;
                var opened = await OpenSessionAsync(channel, endpoint, suite, options, ct).ConfigureAwait(false);
                if (opened.Response is null)
                {
                    refusals.Add($"{id}: {opened.Refusal}");
                    options.Log?.Invoke($"{endpoint}: cipher suite {id} refused ({opened.Refusal})");
                    continue;
                }

                var session = await AuthenticateAsync(channel, endpoint, credential.UserName, userName, userKey, suite, opened.ConsoleSessionId, opened.Response, options, ct).ConfigureAwait(false);
                options.Log?.Invoke($"{endpoint}: session open with {suite}, user '{credential.UserName}'");
                return session;
            }

            throw new BmcException(endpoint, BmcFailure.Negotiation, $"the BMC accepts none of the proposed cipher suites ({string.Join("; ", refusals)})");
        }
        finally
        {
            CryptographicOperations.ZeroMemory(userKey);
        }
    }

    private static async Task CheckChannelAsync(IpmiUdpChannel channel, BmcEndpoint endpoint, IpmiConnectOptions options, CancellationToken ct)
    {
        var request = new IpmiRequest(IpmiNetFn.Application, IpmiCommands.GetChannelAuthenticationCapabilities, 0, ChannelAuthenticationCapabilities.RequestData(options.Privilege));
        var datagram = Ipmi15SessionWrapper.Encode(request.Encode());
        var response = await channel.ExchangeAsync(
            "Get Channel Authentication Capabilities",
            _ => datagram,
            answer => Ipmi15SessionWrapper.TryDecode(answer, out var message, out _) && IpmiResponse.TryParse(message, out var r, out _) && r.Answers(request) ? r : null,
            ct).ConfigureAwait(false);
        if (response.CompletionCode != IpmiCompletionCode.Success)
        {
            throw new BmcException(endpoint, BmcFailure.Negotiation, $"Get Channel Authentication Capabilities failed: {IpmiCompletionCode.Describe(response.CompletionCode)}");
        }

        if (!ChannelAuthenticationCapabilities.TryParse(response.Data, out var caps, out var error))
        {
            throw new BmcException(endpoint, BmcFailure.Protocol, error);
        }

        if (!caps.SupportsIpmi20)
        {
            throw new BmcException(endpoint, BmcFailure.Negotiation, "the BMC does not offer IPMI v2.0 (RMCP+) on this channel; NodeFoundry does not speak IPMI v1.5 sessions");
        }
    }

    private static async Task<(OpenSessionResponse? Response, string Refusal, uint ConsoleSessionId)> OpenSessionAsync(IpmiUdpChannel channel, BmcEndpoint endpoint, IpmiCipherSuite suite, IpmiConnectOptions options, CancellationToken ct)
    {
        var consoleSessionId = RandomSessionId();
        var response = await channel.ExchangeAsync(
            $"Open Session ({suite})",
            attempt => new RmcpPlusPacket(IpmiPayloadType.OpenSessionRequest, false, false, 0, 0, new OpenSessionRequest((byte)attempt, (byte)options.Privilege, consoleSessionId, suite).Encode()).Encode(),
            answer => SessionSetupPayload(answer, IpmiPayloadType.OpenSessionResponse) is { } p && OpenSessionResponse.TryParse(p, out var r, out _) && (r.ConsoleSessionId == consoleSessionId || r.Status != 0) ? r : null,
            ct).ConfigureAwait(false);
        if (response.Status != RakpStatusCode.NoErrors)
        {
            if (RakpStatusCode.IsAlgorithmRejection(response.Status))
            {
                return (null, RakpStatusCode.Describe(response.Status), consoleSessionId);
            }

            throw new BmcException(endpoint, response.Status is 0x09 or 0x0A or 0x0B ? BmcFailure.Authentication : BmcFailure.Negotiation, $"Open Session refused: {RakpStatusCode.Describe(response.Status)}");
        }

        if (response.Authentication != (byte)suite.Authentication || response.Integrity != (byte)suite.Integrity || response.Confidentiality != (byte)suite.Confidentiality)
        {
            throw new BmcException(endpoint, BmcFailure.Negotiation, $"the BMC answered Open Session for {suite} with other algorithms ({response.Authentication:X2}h, {response.Integrity:X2}h, {response.Confidentiality:X2}h)");
        }

        return (response, string.Empty, consoleSessionId);
    }

    private static async Task<IpmiSession> AuthenticateAsync(IpmiUdpChannel channel, BmcEndpoint endpoint, string userText, byte[] userName, byte[] userKey, IpmiCipherSuite suite, uint consoleSessionId, OpenSessionResponse opened, IpmiConnectOptions options, CancellationToken ct)
    {
        var consoleRandom = RandomNumberGenerator.GetBytes(16);
        var role = (byte)(Rakp1Message.NameOnlyLookup | (byte)options.Privilege);
        var rakp2 = await channel.ExchangeAsync(
            "RAKP 1",
            attempt => new RmcpPlusPacket(IpmiPayloadType.Rakp1, false, false, 0, 0, new Rakp1Message((byte)attempt, opened.BmcSessionId, consoleRandom, role, userName).Encode()).Encode(),
            answer => SessionSetupPayload(answer, IpmiPayloadType.Rakp2) is { } p && Rakp2Message.TryParse(p, out var m, out _) && (m.ConsoleSessionId == consoleSessionId || m.Status != 0) ? m : null,
            ct).ConfigureAwait(false);
        if (rakp2.Status != RakpStatusCode.NoErrors)
        {
            throw AuthenticationFailed(endpoint, userText, $"RAKP 2 status {RakpStatusCode.Describe(rakp2.Status)}");
        }

        var transcript = new RakpTranscript(consoleSessionId, opened.BmcSessionId, consoleRandom, rakp2.BmcRandom, rakp2.BmcGuid, role, userName);
        var expected = RakpCrypto.Rakp2AuthCode(suite, userKey, transcript);
        if (rakp2.AuthCode.Length != expected.Length || !CryptographicOperations.FixedTimeEquals(rakp2.AuthCode, expected))
        {
            // Tell the BMC why we stop, so it frees the half-open session now rather than at its timeout.
            var refusal = new Rakp3Message(0, RakpStatusCode.InvalidIntegrityCheckValue, opened.BmcSessionId, []).Encode();
            await channel.SendAsync(new RmcpPlusPacket(IpmiPayloadType.Rakp3, false, false, 0, 0, refusal).Encode(), ct).ConfigureAwait(false);
            throw AuthenticationFailed(endpoint, userText, "RAKP 2 HMAC mismatch");
        }

        var rakp3 = new Rakp3Message(0, RakpStatusCode.NoErrors, opened.BmcSessionId, RakpCrypto.Rakp3AuthCode(suite, userKey, transcript));
        var rakp4 = await channel.ExchangeAsync(
            "RAKP 3",
            attempt => new RmcpPlusPacket(IpmiPayloadType.Rakp3, false, false, 0, 0, (rakp3 with { MessageTag = (byte)attempt }).Encode()).Encode(),
            answer => SessionSetupPayload(answer, IpmiPayloadType.Rakp4) is { } p && Rakp4Message.TryParse(p, out var m, out _) && (m.ConsoleSessionId == consoleSessionId || m.Status != 0) ? m : null,
            ct).ConfigureAwait(false);
        if (rakp4.Status != RakpStatusCode.NoErrors)
        {
            throw AuthenticationFailed(endpoint, userText, $"RAKP 4 status {RakpStatusCode.Describe(rakp4.Status)}");
        }

        // K_G is K_UID: NodeFoundry does not configure BMC keys (a BMC with one fails the RAKP 4 check below).
        var keys = IpmiSessionKeys.Derive(suite, userKey, transcript);
        if (!CryptographicOperations.FixedTimeEquals(rakp4.IntegrityCheckValue, RakpCrypto.Rakp4Icv(suite, keys.Sik, transcript)))
        {
            keys.Clear();
            throw new BmcException(endpoint, BmcFailure.Authentication, $"RAKP 4 integrity check value mismatch for user '{userText}': the BMC derived another session key (is a BMC key, K_G, configured?)");
        }

        return new IpmiSession(keys, consoleSessionId, opened.BmcSessionId);
    }

    private static BmcException AuthenticationFailed(BmcEndpoint endpoint, string user, string cause) =>
        new(endpoint, BmcFailure.Authentication, $"authentication failed for user '{user}' ({cause}): check the user name and password");

    /// <summary>The payload of a session-setup answer of <paramref name="type"/>, or null for anything else.</summary>
    private static byte[]? SessionSetupPayload(byte[] datagram, IpmiPayloadType type) =>
        RmcpPlusPacket.TryParse(datagram, IpmiIntegrityAlgorithm.None, default, out var packet, out _) && packet.PayloadType == type && !packet.Authenticated
            ? packet.Payload
            : null;

    private static uint RandomSessionId()
    {
        // 0 means "no session"; any other value is ours to choose.
        var id = BitConverter.ToUInt32(RandomNumberGenerator.GetBytes(4));
        return id == 0 ? 1 : id;
    }
}
