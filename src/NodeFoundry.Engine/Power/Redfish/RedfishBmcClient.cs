using System.Net;
using System.Net.Http.Headers;
using System.Net.Security;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace NodeFoundry.Power.Redfish;

/// <summary>
/// Power and boot-device control of one ComputerSystem over DMTF Redfish: service root discovery, a session
/// (X-Auth-Token, deleted on dispose) or HTTP Basic, <c>ComputerSystem.Reset</c> with a reset type the system
/// advertises, task monitors for asynchronous resets, and the <c>Boot</c> override (with If-Match when the system
/// carries an ETag). Every failure is a <see cref="BmcException"/>; the password is sent only in the session login
/// body or the Basic header and never appears in a message.
/// </summary>
public sealed class RedfishBmcClient : IBmcClient
{
    private const string ServiceRootPath = "/redfish/v1/";
    private const string JsonMediaType = "application/json";

    private readonly HttpClient _http;
    private readonly RedfishConnectOptions _options;
    private readonly BmcCredential _credential;
    private readonly Uri _baseUri;
    private Uri _systemUri;
    private Uri? _sessionUri;
    private string? _token;
    private bool _basic;
    private int _disposed;

    private RedfishBmcClient(BmcEndpoint endpoint, BmcCredential credential, RedfishConnectOptions options, HttpClient http, Uri baseUri)
    {
        Endpoint = endpoint;
        _credential = credential;
        _options = options;
        _http = http;
        _baseUri = baseUri;
        _systemUri = baseUri;
    }

    /// <inheritdoc />
    public BmcEndpoint Endpoint { get; }

    /// <summary>The ComputerSystem this client controls (absolute URI).</summary>
    public Uri SystemUri => _systemUri;

    /// <summary>True when the client logged in with a Redfish session, false when it uses HTTP Basic.</summary>
    public bool UsesSession => _token is not null;

    /// <summary>
    /// Reads the service root, logs in and finds the ComputerSystem. Fails with <see cref="BmcFailure.Authentication"/>
    /// on a wrong user or password, <see cref="BmcFailure.Transport"/> when the BMC cannot be reached.
    /// </summary>
    public static async Task<RedfishBmcClient> ConnectAsync(BmcEndpoint endpoint, BmcCredential credential, RedfishConnectOptions? options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        ArgumentNullException.ThrowIfNull(credential);
        if (endpoint.Protocol != BmcProtocol.Redfish)
        {
            throw new BmcException(endpoint, BmcFailure.Unsupported, $"the Redfish client cannot speak {endpoint.Protocol}");
        }

        options ??= new RedfishConnectOptions();
        var baseUri = new UriBuilder(endpoint.UseTls ? Uri.UriSchemeHttps : Uri.UriSchemeHttp, endpoint.Host, endpoint.EffectivePort).Uri;
#pragma warning disable CA2000 // The client owns the handler and the HttpClient; a failed connect disposes the client below.
        var http = new HttpClient(CreateHandler(endpoint), disposeHandler: true) { Timeout = Timeout.InfiniteTimeSpan };
#pragma warning restore CA2000
        var client = new RedfishBmcClient(endpoint, credential, options, http, baseUri);
        try
        {
            await client.DiscoverAsync(cancellationToken).ConfigureAwait(false);
            return client;
        }
        catch
        {
            await client.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// The transport: certificate checks stay on unless the endpoint explicitly opts out (lab BMCs with self-signed
    /// certificates); no cookies, no redirects (a redirect could carry the Basic header elsewhere), no proxy.
    /// </summary>
    internal static SocketsHttpHandler CreateHandler(BmcEndpoint endpoint)
    {
        var handler = new SocketsHttpHandler
        {
            UseCookies = false,
            AllowAutoRedirect = false,
            UseProxy = false,
            ConnectTimeout = TimeSpan.FromSeconds(15),
            PooledConnectionIdleTimeout = TimeSpan.FromSeconds(30),
            MaxConnectionsPerServer = 2,
        };
        if (endpoint.SkipCertificateCheck)
        {
            handler.SslOptions = new SslClientAuthenticationOptions
            {
                RemoteCertificateValidationCallback = static (_, _, _, _) => true,
            };
        }

        return handler;
    }

    /// <inheritdoc />
    public async Task<PowerState> GetPowerStateAsync(CancellationToken cancellationToken)
    {
        JsonObject system = (await GetJsonAsync(_systemUri, cancellationToken).ConfigureAwait(false)).Body;
        return ReadPowerState(system);
    }

    /// <inheritdoc />
    public async Task SetPowerAsync(PowerAction action, CancellationToken cancellationToken)
    {
        if (action == PowerAction.None)
        {
            return;
        }

        JsonObject system = (await GetJsonAsync(_systemUri, cancellationToken).ConfigureAwait(false)).Body;
        if (system["Actions"]?["#ComputerSystem.Reset"] is not JsonObject reset || Text(reset["target"]) is not { } target)
        {
            throw Fail(BmcFailure.Unsupported, $"{Path(_systemUri)} has no #ComputerSystem.Reset action");
        }

        // A Cycle of a node that is off means "bring it up": PowerCycle on an off system is vendor-defined.
        if (action == PowerAction.Cycle && ReadPowerState(system) == PowerState.Off)
        {
            action = PowerAction.On;
        }

        IReadOnlyCollection<string>? allowed = await AllowedResetTypesAsync(reset, cancellationToken).ConfigureAwait(false);
        if (!RedfishResetPlan.TryPlan(action, allowed, out IReadOnlyList<string> resetTypes, out string? error))
        {
            throw Fail(BmcFailure.Rejected, error!);
        }

        Uri targetUri = Resolve(target);
        for (int i = 0; i < resetTypes.Count; i++)
        {
            if (i > 0)
            {
                // ForceOff, then On: the BMC must have seen the power go before it accepts On.
                await WaitForPowerStateAsync(PowerState.Off, cancellationToken).ConfigureAwait(false);
            }

            var body = new JsonObject { ["ResetType"] = resetTypes[i] };
            using HttpResponseMessage response = await SendAsync(HttpMethod.Post, targetUri, body, null, cancellationToken).ConfigureAwait(false);
            await CompleteActionAsync(response, $"ResetType {resetTypes[i]}", cancellationToken).ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    public async Task SetBootOverrideAsync(BootOverride bootOverride, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(bootOverride);
        string target = RedfishBootTarget.ToTarget(bootOverride.Device);

        // One retry: a 412 means the system changed between our read and our write; read again and reapply.
        for (int attempt = 0; ; attempt++)
        {
            (JsonObject system, string? etag) = await GetJsonAsync(_systemUri, cancellationToken).ConfigureAwait(false);
            etag ??= Text(system["@odata.etag"]);
            if (system["Boot"] is not JsonObject boot)
            {
                throw Fail(BmcFailure.Unsupported, $"{Path(_systemUri)} has no Boot property");
            }

            if (boot["BootSourceOverrideTarget@Redfish.AllowableValues"] is JsonArray targets
                && !Strings(targets).Contains(target, StringComparer.Ordinal))
            {
                throw Fail(BmcFailure.Unsupported, $"boot override target {target} is not offered; the BMC allows: {string.Join(", ", Strings(targets))}");
            }

            var patch = new JsonObject
            {
                ["BootSourceOverrideTarget"] = target,
                ["BootSourceOverrideEnabled"] = bootOverride.Device == BootDevice.None ? "Disabled" : bootOverride.Persistent ? "Continuous" : "Once",
            };

            // Only systems that have the property take a mode (older schemas and some BMCs lack it and reject unknown properties).
            if (bootOverride.Device != BootDevice.None && boot.ContainsKey("BootSourceOverrideMode"))
            {
                patch["BootSourceOverrideMode"] = bootOverride.Uefi ? "UEFI" : "Legacy";
            }

            using HttpResponseMessage response = await SendAsync(HttpMethod.Patch, _systemUri, new JsonObject { ["Boot"] = patch }, etag, cancellationToken).ConfigureAwait(false);
            if (response.StatusCode == HttpStatusCode.PreconditionFailed && attempt == 0)
            {
                continue;
            }

            await CompleteActionAsync(response, $"boot override {target}", cancellationToken).ConfigureAwait(false);
            return;
        }
    }

    /// <inheritdoc />
    public async Task<BootOverride> GetBootOverrideAsync(CancellationToken cancellationToken)
    {
        JsonObject system = (await GetJsonAsync(_systemUri, cancellationToken).ConfigureAwait(false)).Body;
        if (system["Boot"] is not JsonObject boot)
        {
            throw Fail(BmcFailure.Unsupported, $"{Path(_systemUri)} has no Boot property");
        }

        string? enabled = Text(boot["BootSourceOverrideEnabled"]);
        string? target = Text(boot["BootSourceOverrideTarget"]);
        if (enabled is null or "Disabled")
        {
            return new BootOverride(BootDevice.None);
        }

        BootDevice device = RedfishBootTarget.FromTarget(target)
            ?? throw Fail(BmcFailure.Unsupported, $"boot override target {target} has no NodeFoundry equivalent");
        return new BootOverride(device, Uefi: Text(boot["BootSourceOverrideMode"]) != "Legacy", Persistent: enabled == "Continuous");
    }

    /// <summary>Deletes the session (best effort: the BMC expires it anyway) and closes the connections.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        try
        {
            if (_sessionUri is not null && _token is not null)
            {
                using var timeout = new CancellationTokenSource(_options.RequestTimeout);
                try
                {
                    using HttpResponseMessage response = await SendAsync(HttpMethod.Delete, _sessionUri, null, null, timeout.Token).ConfigureAwait(false);
                }
                catch (BmcException)
                {
                    // The session times out on the BMC by itself; nothing more to do.
                }
            }
        }
        finally
        {
            _token = null;
            _http.Dispose();
        }
    }

    /// <inheritdoc />
    public override string ToString() => $"Redfish {Endpoint} as {_credential.UserName}";

    private async Task DiscoverAsync(CancellationToken cancellationToken)
    {
        // The service root answers without authentication (DSP0266) and says where sessions and systems live.
        JsonObject root = (await GetJsonAsync(new Uri(_baseUri, ServiceRootPath), cancellationToken).ConfigureAwait(false)).Body;
        string? sessions = Text(root["Links"]?["Sessions"]?["@odata.id"]);
        await LoginAsync(sessions, cancellationToken).ConfigureAwait(false);

        string systemsPath = Text(root["Systems"]?["@odata.id"])
            ?? throw Fail(BmcFailure.Unsupported, "the service root has no Systems collection");
        JsonObject systems = (await GetJsonAsync(Resolve(systemsPath), cancellationToken).ConfigureAwait(false)).Body;
        string[] members = [.. (systems["Members"] as JsonArray ?? []).Select(m => Text(m?["@odata.id"])).OfType<string>()];
        _systemUri = Resolve(await ChooseSystemAsync(members, cancellationToken).ConfigureAwait(false));
    }

    private async Task LoginAsync(string? sessionsPath, CancellationToken cancellationToken)
    {
        if (_options.Authentication == RedfishAuthentication.Basic)
        {
            _basic = true;
            return;
        }

        if (sessionsPath is null)
        {
            if (_options.Authentication == RedfishAuthentication.Session)
            {
                throw Fail(BmcFailure.Negotiation, "the service root names no SessionService sessions and Basic authentication is not allowed");
            }

            _basic = true;
            return;
        }

        var body = new JsonObject { ["UserName"] = _credential.UserName, ["Password"] = _credential.Password };
        using HttpResponseMessage response = await SendAsync(HttpMethod.Post, Resolve(sessionsPath), body, null, cancellationToken, authenticate: false).ConfigureAwait(false);
        if (response.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.MethodNotAllowed or HttpStatusCode.NotImplemented
            && _options.Authentication == RedfishAuthentication.SessionWithBasicFallback)
        {
            _basic = true;
            return;
        }

        await EnsureSuccessAsync(response, "session login", cancellationToken).ConfigureAwait(false);
        if (!response.Headers.TryGetValues("X-Auth-Token", out IEnumerable<string>? tokens) || tokens.FirstOrDefault() is not { Length: > 0 } token)
        {
            throw Fail(BmcFailure.Protocol, "the session login answered without an X-Auth-Token header");
        }

        _token = token;
        string? location = response.Headers.Location?.OriginalString;
        if (location is null)
        {
            // Without Location the session cannot be deleted; the body's @odata.id says the same thing.
            JsonObject? session = await ReadJsonOrNullAsync(response, cancellationToken).ConfigureAwait(false);
            location = Text(session?["@odata.id"]);
        }

        _sessionUri = location is null ? null : Resolve(location);
    }

    private async Task<string> ChooseSystemAsync(string[] members, CancellationToken cancellationToken)
    {
        if (_options.SystemId is not { } id)
        {
            return members.Length switch
            {
                1 => members[0],
                0 => throw Fail(BmcFailure.Unsupported, "the Systems collection is empty"),
                _ => throw Fail(BmcFailure.Protocol, $"the BMC manages {members.Length} systems ({string.Join(", ", members.Select(LastSegment))}); name one with SystemId"),
            };
        }

        // The Id is usually the last URI segment; when it is not, the system's own Id property decides.
        foreach (string member in members)
        {
            if (string.Equals(LastSegment(member), id, StringComparison.OrdinalIgnoreCase))
            {
                return member;
            }
        }

        foreach (string member in members.Take(64))
        {
            JsonObject system = (await GetJsonAsync(Resolve(member), cancellationToken).ConfigureAwait(false)).Body;
            if (string.Equals(Text(system["Id"]), id, StringComparison.OrdinalIgnoreCase))
            {
                return member;
            }
        }

        throw Fail(BmcFailure.Rejected, $"no system with Id '{id}' (the BMC has: {string.Join(", ", members.Select(LastSegment))})");
    }

    /// <summary>The action's allowable reset types, inline or through its @Redfish.ActionInfo; null when the BMC does not say.</summary>
    private async Task<IReadOnlyCollection<string>?> AllowedResetTypesAsync(JsonObject reset, CancellationToken cancellationToken)
    {
        if (reset["ResetType@Redfish.AllowableValues"] is JsonArray inline)
        {
            return Strings(inline);
        }

        if (Text(reset["@Redfish.ActionInfo"]) is { } actionInfo)
        {
            JsonObject info = (await GetJsonAsync(Resolve(actionInfo), cancellationToken).ConfigureAwait(false)).Body;
            JsonObject? parameter = (info["Parameters"] as JsonArray ?? []).OfType<JsonObject>().FirstOrDefault(p => Text(p["Name"]) == "ResetType");
            if (parameter?["AllowableValues"] is JsonArray values)
            {
                return Strings(values);
            }
        }

        return null;
    }

    private async Task WaitForPowerStateAsync(PowerState wanted, CancellationToken cancellationToken)
    {
        for (int poll = 0; poll < _options.MaxPowerStatePolls; poll++)
        {
            if (await GetPowerStateAsync(cancellationToken).ConfigureAwait(false) == wanted)
            {
                return;
            }

            await Task.Delay(_options.TaskPollInterval, _options.TimeProvider, cancellationToken).ConfigureAwait(false);
        }

        throw Fail(BmcFailure.Timeout, $"power did not read {wanted} after {_options.MaxPowerStatePolls} polls");
    }

    /// <summary>Success (200/204), or 202 Accepted with a task monitor polled until the task ends; anything else fails.</summary>
    private async Task CompleteActionAsync(HttpResponseMessage response, string what, CancellationToken cancellationToken)
    {
        if (response.StatusCode != HttpStatusCode.Accepted)
        {
            await EnsureSuccessAsync(response, what, cancellationToken).ConfigureAwait(false);
            return;
        }

        Uri monitor = response.Headers.Location is { } location
            ? Resolve(location.OriginalString)
            : throw Fail(BmcFailure.Protocol, $"{what}: 202 Accepted without a Location (task monitor)");
        TimeSpan wait = RetryAfter(response);
        for (int poll = 0; poll < _options.MaxTaskPolls; poll++)
        {
            await Task.Delay(wait, _options.TimeProvider, cancellationToken).ConfigureAwait(false);
            using HttpResponseMessage status = await SendAsync(HttpMethod.Get, monitor, null, null, cancellationToken).ConfigureAwait(false);
            wait = RetryAfter(status);
            if (status.StatusCode == HttpStatusCode.Accepted)
            {
                continue;
            }

            await EnsureSuccessAsync(status, what, cancellationToken).ConfigureAwait(false);
            JsonObject? task = await ReadJsonOrNullAsync(status, cancellationToken).ConfigureAwait(false);
            string? state = Text(task?["TaskState"]);
            if (state is null)
            {
                // The monitor answered with the operation's own result: done.
                return;
            }

            if (!RedfishTaskState.IsFinished(state))
            {
                continue;
            }

            if (RedfishTaskState.IsFailed(state) || Text(task!["TaskStatus"]) == "Critical")
            {
                throw Fail(BmcFailure.Rejected, $"{what}: task {Text(task!["Id"]) ?? Path(monitor)} ended {state}{TaskMessages(task)}");
            }

            return;
        }

        throw Fail(BmcFailure.Timeout, $"{what}: task {Path(monitor)} still running after {_options.MaxTaskPolls} polls");
    }

    private TimeSpan RetryAfter(HttpResponseMessage response)
    {
        // Honour the BMC's pace, within reason: a BMC asking for a minute between polls would exhaust nothing but time.
        TimeSpan? asked = response.Headers.RetryAfter?.Delta;
        return asked is { } delta && delta > TimeSpan.Zero ? TimeSpan.FromTicks(Math.Min(delta.Ticks, TimeSpan.FromSeconds(10).Ticks)) : _options.TaskPollInterval;
    }

    private string TaskMessages(JsonObject task)
    {
        string[] messages = [.. (task["Messages"] as JsonArray ?? []).OfType<JsonObject>().Select(m => Text(m["Message"])).OfType<string>()];
        return messages.Length == 0 ? string.Empty : ": " + Redact(string.Join("; ", messages));
    }

    private async Task<(JsonObject Body, string? ETag)> GetJsonAsync(Uri uri, CancellationToken cancellationToken)
    {
        using HttpResponseMessage response = await SendAsync(HttpMethod.Get, uri, null, null, cancellationToken).ConfigureAwait(false);
        await EnsureSuccessAsync(response, "GET " + Path(uri), cancellationToken).ConfigureAwait(false);
        JsonObject body = await ReadJsonOrNullAsync(response, cancellationToken).ConfigureAwait(false)
            ?? throw Fail(BmcFailure.Protocol, $"GET {Path(uri)} answered without a JSON object");
        return (body, response.Headers.ETag?.ToString());
    }

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, Uri uri, JsonObject? body, string? ifMatch, CancellationToken cancellationToken, bool authenticate = true)
    {
        using var request = new HttpRequestMessage(method, uri);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(JsonMediaType));
        request.Headers.Add("OData-Version", "4.0");
        if (authenticate && _token is not null)
        {
            request.Headers.Add("X-Auth-Token", _token);
        }
        else if (authenticate && _basic)
        {
            string pair = Convert.ToBase64String(Encoding.UTF8.GetBytes(_credential.UserName + ":" + _credential.Password));
            request.Headers.Authorization = new AuthenticationHeaderValue("Basic", pair);
        }

        if (ifMatch is not null)
        {
            request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        }

        if (body is not null)
        {
            request.Content = new StringContent(body.ToJsonString(), Encoding.UTF8, JsonMediaType);
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.RequestTimeout);
        try
        {
            HttpResponseMessage response = await _http.SendAsync(request, HttpCompletionOption.ResponseContentRead, timeout.Token).ConfigureAwait(false);
            _options.Trace?.Invoke($"{method} {Path(uri)} -> {(int)response.StatusCode}");
            return response;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            _options.Trace?.Invoke($"{method} {Path(uri)} -> timeout");
            throw Fail(BmcFailure.Timeout, $"{method} {Path(uri)}: no answer within {_options.RequestTimeout.TotalSeconds:0.#} s");
        }
        catch (HttpRequestException ex)
        {
            // The inner exception (socket or TLS error) is the cause; its text is about the network, never credentials.
            _options.Trace?.Invoke($"{method} {Path(uri)} -> {ex.HttpRequestError}");
            throw Fail(BmcFailure.Transport, $"{method} {Path(uri)}: {Redact(ex.Message)}", ex.InnerException is null ? null : new IOException(Redact(ex.InnerException.Message)));
        }
    }

    private async Task EnsureSuccessAsync(HttpResponseMessage response, string what, CancellationToken cancellationToken)
    {
        if (response.IsSuccessStatusCode)
        {
            return;
        }

        string body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        string detail = RedfishErrorText.Describe(body) is { } described ? ": " + Redact(described) : string.Empty;
        int code = (int)response.StatusCode;
        BmcFailure failure = response.StatusCode switch
        {
            HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden => BmcFailure.Authentication,
            HttpStatusCode.NotImplemented => BmcFailure.Unsupported,
            HttpStatusCode.PreconditionRequired => BmcFailure.Rejected,
            _ when code is >= 400 and < 600 => BmcFailure.Rejected,
            _ => BmcFailure.Protocol,
        };
        string hint = response.StatusCode switch
        {
            HttpStatusCode.Unauthorized => $" (wrong user name or password for user '{_credential.UserName}')",
            HttpStatusCode.Forbidden => $" (user '{_credential.UserName}' lacks the privilege)",
            HttpStatusCode.PreconditionRequired => " (the BMC requires If-Match with the resource's ETag)",
            _ => string.Empty,
        };
        throw Fail(failure, $"{what}: HTTP {code} {response.ReasonPhrase}{hint}{detail}");
    }

    private async Task<JsonObject?> ReadJsonOrNullAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        string text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        try
        {
            return JsonNode.Parse(text) as JsonObject;
        }
        catch (JsonException ex)
        {
            throw Fail(BmcFailure.Protocol, $"{Path(response.RequestMessage?.RequestUri)}: the answer is not JSON ({ex.Message})");
        }
    }

    private static PowerState ReadPowerState(JsonObject system) => Text(system["PowerState"]) switch
    {
        // Transitional states read as where the power is heading.
        "On" or "PoweringOn" => PowerState.On,
        "Off" or "PoweringOff" => PowerState.Off,
        _ => PowerState.Unknown,
    };

    private Uri Resolve(string reference)
    {
        // @odata.id values and Location headers are absolute paths; a BMC that sends a full URI must keep it on itself.
        var uri = new Uri(_baseUri, reference);
        if (!string.Equals(uri.Authority, _baseUri.Authority, StringComparison.OrdinalIgnoreCase) || uri.Scheme != _baseUri.Scheme)
        {
            throw Fail(BmcFailure.Protocol, $"the BMC points outside itself ({uri.Scheme}://{uri.Authority}); refused so credentials stay on the BMC");
        }

        return uri;
    }

    /// <summary>Text the BMC sent may echo what it was given; the password never leaves through it.</summary>
    private string Redact(string text) =>
        _credential.Password.Length == 0 ? text : text.Replace(_credential.Password, "***", StringComparison.Ordinal);

    private BmcException Fail(BmcFailure failure, string message, Exception? inner = null) => new(Endpoint, failure, message, inner);

    private static string Path(Uri? uri) => uri?.AbsolutePath ?? "(unknown)";

    private static string LastSegment(string path) => path.TrimEnd('/').Split('/')[^1];

    private static string? Text(JsonNode? node) =>
        node is JsonValue value && value.TryGetValue(out string? text) && text.Length > 0 ? text : null;

    private static string[] Strings(JsonArray array) => [.. array.Select(Text).OfType<string>()];
}
