using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;

namespace NodeFoundry.Tests.Power.Redfish;

/// <summary>
/// A Redfish service on loopback that follows the DMTF resource model closely enough to exercise a client:
/// ServiceRoot → Systems → ComputerSystem (PowerState, Actions/#ComputerSystem.Reset with
/// ResetType@Redfish.AllowableValues, Boot with the override properties, @odata.etag), SessionService/Sessions
/// (POST → 201 + X-Auth-Token + Location; DELETE ends it), task monitors for asynchronous resets, and Redfish error
/// bodies with @Message.ExtendedInfo. Each behaviour a real BMC varies on is a setting.
/// </summary>
internal sealed class RedfishTestServer : IAsyncDisposable
{
    public const string SystemsPath = "/redfish/v1/Systems";
    public const string SessionsPath = "/redfish/v1/SessionService/Sessions";

    private readonly HttpListener _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private readonly ConcurrentDictionary<string, string> _sessions = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, int> _taskPolls = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();
    private int _sessionCounter;
    private int _taskCounter;
    private int _etagCounter = 1;

    private RedfishTestServer(HttpListener listener, int port, RedfishTestServerOptions options)
    {
        _listener = listener;
        Port = port;
        Options = options;
        foreach (string id in options.SystemIds)
        {
            Systems[id] = new SimulatedSystem(id, options.InitialPower);
        }

        _loop = Task.Run(AcceptLoopAsync);
    }

    public int Port { get; }

    public RedfishTestServerOptions Options { get; }

    /// <summary>The simulated systems by Id.</summary>
    public ConcurrentDictionary<string, SimulatedSystem> Systems { get; } = new(StringComparer.Ordinal);

    /// <summary>Every request as "METHOD /path", in arrival order.</summary>
    public ConcurrentQueue<string> Requests { get; } = new();

    /// <summary>Every Authorization or X-Auth-Token header value and request body received, for the secrets test.</summary>
    public ConcurrentQueue<string> SeenCredentials { get; } = new();

    /// <summary>Sessions created and deleted.</summary>
    public int SessionsCreated => Volatile.Read(ref _sessionCounter);

    public int OpenSessions => _sessions.Count;

    /// <summary>Signalled when a request arrives that this server was told to leave unanswered.</summary>
    public TaskCompletionSource HangingRequestArrived { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Starts a server on a free loopback port (HttpListener needs a concrete port: retried when taken meanwhile).</summary>
    public static RedfishTestServer Start(RedfishTestServerOptions? options = null)
    {
        options ??= new RedfishTestServerOptions();
        for (int attempt = 0; ; attempt++)
        {
            int port = FreeLoopbackPort();
            var listener = new HttpListener();
            listener.Prefixes.Add($"http://127.0.0.1:{port}/");
            try
            {
                listener.Start();
                return new RedfishTestServer(listener, port, options);
            }
            catch (HttpListenerException) when (attempt < 20)
            {
                listener.Close();
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        _listener.Close();
        try
        {
            await _loop;
        }
        catch (ObjectDisposedException)
        {
            // The listener was closed under the accept.
        }

        _stop.Dispose();
    }

    private static int FreeLoopbackPort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception) when (_stop.IsCancellationRequested)
            {
                return;
            }
            catch (HttpListenerException)
            {
                return;
            }

            _ = Task.Run(() => ServeAsync(context));
        }
    }

    private async Task ServeAsync(HttpListenerContext context)
    {
        HttpListenerRequest request = context.Request;
        string path = request.Url!.AbsolutePath.TrimEnd('/');
        string body;
        using (var reader = new StreamReader(request.InputStream, Encoding.UTF8))
        {
            body = await reader.ReadToEndAsync();
        }

        Requests.Enqueue($"{request.HttpMethod} {path}");
        Options.OnRequest?.Invoke(request.HttpMethod, path);
        foreach (string? value in new[] { request.Headers["Authorization"], request.Headers["X-Auth-Token"], body })
        {
            if (!string.IsNullOrEmpty(value))
            {
                SeenCredentials.Enqueue(value);
            }
        }

        Reply reply;
        try
        {
            reply = Route(request, path, body);
        }
        catch (Exception ex)
        {
            reply = Error(500, "Base.1.8.InternalError", "test server fault: " + ex.Message);
        }

        if (reply.Hang)
        {
            HangingRequestArrived.TrySetResult();
            try
            {
                await Task.Delay(Timeout.Infinite, _stop.Token);
            }
            catch (OperationCanceledException)
            {
                context.Response.Abort();
                return;
            }
        }

        try
        {
            HttpListenerResponse response = context.Response;
            response.StatusCode = reply.Status;
            foreach ((string name, string value) in reply.Headers)
            {
                response.Headers[name] = value;
            }

            byte[] bytes = reply.Body is null ? [] : Encoding.UTF8.GetBytes(reply.Body.ToJsonString());
            if (bytes.Length > 0)
            {
                response.ContentType = "application/json";
            }

            response.ContentLength64 = bytes.Length;
            await response.OutputStream.WriteAsync(bytes);
            response.Close();
        }
        catch (Exception) when (_stop.IsCancellationRequested)
        {
            // Shutting down.
        }
        catch (HttpListenerException)
        {
            // The client went away.
        }
    }

    private Reply Route(HttpListenerRequest request, string path, string body)
    {
        string method = request.HttpMethod;
        if (method == "GET" && path == "/redfish/v1")
        {
            return Ok(ServiceRoot());
        }

        if (method == "POST" && path == SessionsPath)
        {
            return Login(body);
        }

        if (!Authenticated(request))
        {
            return Error(401, "Base.1.8.NoValidSession", "There is no valid session established with the implementation.");
        }

        if (method == "DELETE" && path.StartsWith(SessionsPath + "/", StringComparison.Ordinal))
        {
            return _sessions.TryRemove(path[(SessionsPath.Length + 1)..], out _) ? new Reply(204) : Error(404, "Base.1.8.ResourceMissingAtURI", "no such session");
        }

        if (method == "GET" && path == SystemsPath)
        {
            return Ok(new JsonObject
            {
                ["@odata.id"] = SystemsPath,
                ["Name"] = "Computer System Collection",
                ["Members@odata.count"] = Systems.Count,
                ["Members"] = new JsonArray([.. Systems.Keys.Order(StringComparer.Ordinal).Select(id => (JsonNode)new JsonObject { ["@odata.id"] = $"{SystemsPath}/{id}" })]),
            });
        }

        if (path.StartsWith("/redfish/v1/TaskService/TaskMonitors/", StringComparison.Ordinal) && method == "GET")
        {
            return PollTask(path);
        }

        string[] segments = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (segments.Length >= 4 && "/" + string.Join('/', segments[..3]) == SystemsPath && Systems.TryGetValue(segments[3], out SimulatedSystem? system))
        {
            string rest = string.Join('/', segments[4..]);
            return (method, rest) switch
            {
                ("GET", "") => Ok(SystemResource(system), system),
                ("PATCH", "") => PatchBoot(system, request, body),
                ("POST", "Actions/ComputerSystem.Reset") => Reset(system, body),
                ("GET", "ResetActionInfo") => Ok(ResetActionInfo(system)),
                _ => Error(405, "Base.1.8.OperationNotAllowed", $"{method} is not allowed on {path}"),
            };
        }

        return Error(404, "Base.1.8.ResourceMissingAtURI", $"The resource at the URI {path} was not found.");
    }

    private JsonObject ServiceRoot()
    {
        var root = new JsonObject
        {
            ["@odata.id"] = "/redfish/v1/",
            ["@odata.type"] = "#ServiceRoot.v1_15_0.ServiceRoot",
            ["Id"] = "RootService",
            ["RedfishVersion"] = "1.17.0",
            ["Systems"] = new JsonObject { ["@odata.id"] = SystemsPath },
        };
        if (Options.SessionsSupported)
        {
            root["SessionService"] = new JsonObject { ["@odata.id"] = "/redfish/v1/SessionService" };
            root["Links"] = new JsonObject { ["Sessions"] = new JsonObject { ["@odata.id"] = SessionsPath } };
        }

        return root;
    }

    private Reply Login(string body)
    {
        if (!Options.SessionsSupported)
        {
            return Error(404, "Base.1.8.ResourceMissingAtURI", "no session service");
        }

        JsonObject? request = JsonNode.Parse(body) as JsonObject;
        if (request?["UserName"]?.GetValue<string>() != Options.UserName || request?["Password"]?.GetValue<string>() != Options.Password)
        {
            // A careless BMC that echoes what it was sent: the client must still keep the password out of its messages.
            string echoed = Options.EchoCredentialsInErrors ? $" (received {body})" : string.Empty;
            return Error(401, "Base.1.8.InsufficientPrivilege", "Invalid username or password." + echoed);
        }

        string id = Interlocked.Increment(ref _sessionCounter).ToString(System.Globalization.CultureInfo.InvariantCulture);
        string token = Guid.NewGuid().ToString("N");
        _sessions[id] = token;
        string location = $"{SessionsPath}/{id}";
        return new Reply(201, new JsonObject { ["@odata.id"] = location, ["Id"] = id, ["UserName"] = Options.UserName })
        {
            Headers = { ("X-Auth-Token", token), ("Location", location) },
        };
    }

    private bool Authenticated(HttpListenerRequest request)
    {
        if (request.Headers["X-Auth-Token"] is { } token)
        {
            return _sessions.Values.Contains(token);
        }

        if (Options.BasicSupported && request.Headers["Authorization"] is { } authorization && authorization.StartsWith("Basic ", StringComparison.Ordinal))
        {
            string pair = Encoding.UTF8.GetString(Convert.FromBase64String(authorization[6..]));
            return pair == Options.UserName + ":" + Options.Password;
        }

        return false;
    }

    private JsonObject SystemResource(SimulatedSystem system)
    {
        string path = $"{SystemsPath}/{system.Id}";
        var reset = new JsonObject { ["target"] = path + "/Actions/ComputerSystem.Reset" };
        if (Options.ResetTypesViaActionInfo)
        {
            reset["@Redfish.ActionInfo"] = path + "/ResetActionInfo";
        }
        else if (Options.AdvertisedResetTypes is { } advertised)
        {
            reset["ResetType@Redfish.AllowableValues"] = new JsonArray([.. advertised.Select(t => (JsonNode)t)]);
        }

        lock (_gate)
        {
            var boot = new JsonObject
            {
                ["BootSourceOverrideEnabled"] = system.OverrideEnabled,
                ["BootSourceOverrideTarget"] = system.OverrideTarget,
                ["BootSourceOverrideTarget@Redfish.AllowableValues"] = new JsonArray([.. Options.BootTargets.Select(t => (JsonNode)t)]),
            };
            if (Options.BootModeSupported)
            {
                boot["BootSourceOverrideMode"] = system.OverrideMode;
            }

            var resource = new JsonObject
            {
                ["@odata.id"] = path,
                ["@odata.type"] = "#ComputerSystem.v1_20_0.ComputerSystem",
                ["Id"] = system.Id,
                ["Name"] = "Simulated " + system.Id,
                ["PowerState"] = system.Power,
                ["Boot"] = boot,
                ["Actions"] = new JsonObject { ["#ComputerSystem.Reset"] = reset },
            };
            if (Options.RequireEtag)
            {
                resource["@odata.etag"] = system.ETag;
            }

            return resource;
        }
    }

    private JsonObject ResetActionInfo(SimulatedSystem system) => new()
    {
        ["@odata.id"] = $"{SystemsPath}/{system.Id}/ResetActionInfo",
        ["Id"] = "ResetActionInfo",
        ["Parameters"] = new JsonArray(new JsonObject
        {
            ["Name"] = "ResetType",
            ["Required"] = true,
            ["DataType"] = "String",
            ["AllowableValues"] = new JsonArray([.. (Options.AdvertisedResetTypes ?? []).Select(t => (JsonNode)t)]),
        }),
    };

    private Reply PatchBoot(SimulatedSystem system, HttpListenerRequest request, string body)
    {
        string? ifMatch = request.Headers["If-Match"];
        lock (_gate)
        {
            if (Options.RequireEtag)
            {
                if (ifMatch is null)
                {
                    return Error(428, "Base.1.8.PreconditionRequired", "A precondition header or annotation is required to change this resource.");
                }

                if (ifMatch != system.ETag)
                {
                    return Error(412, "Base.1.8.PreconditionFailed", "The ETag supplied did not match the ETag required to change this resource.");
                }
            }

            if ((JsonNode.Parse(body) as JsonObject)?["Boot"] is not JsonObject boot)
            {
                return Error(400, "Base.1.8.PropertyMissing", "The property Boot is a required property.");
            }

            if (!Options.BootModeSupported && boot.ContainsKey("BootSourceOverrideMode"))
            {
                return Error(400, "Base.1.8.PropertyUnknown", "The property BootSourceOverrideMode is not in the list of valid properties for the resource.");
            }

            system.OverrideTarget = boot["BootSourceOverrideTarget"]?.GetValue<string>() ?? system.OverrideTarget;
            system.OverrideEnabled = boot["BootSourceOverrideEnabled"]?.GetValue<string>() ?? system.OverrideEnabled;
            system.OverrideMode = boot["BootSourceOverrideMode"]?.GetValue<string>() ?? system.OverrideMode;
            system.BootPatches++;
            system.ETag = $"W/\"{Interlocked.Increment(ref _etagCounter)}\"";
            return new Reply(204);
        }
    }

    private Reply Reset(SimulatedSystem system, string body)
    {
        string? type = (JsonNode.Parse(body) as JsonObject)?["ResetType"]?.GetValue<string>();
        if (Options.HangOnReset)
        {
            return new Reply(0) { Hang = true };
        }

        if (Options.FailReset)
        {
            return Error(500, "Base.1.8.InternalError", "The request failed due to an internal service error.");
        }

        IReadOnlyList<string> accepted = Options.AcceptedResetTypes ?? Options.AdvertisedResetTypes ?? [];
        if (type is null || !accepted.Contains(type, StringComparer.Ordinal))
        {
            return Error(400, "Base.1.8.ActionParameterValueNotInList", $"The value '{type}' for the parameter ResetType is not in the list of acceptable values.");
        }

        lock (_gate)
        {
            system.ResetTypes.Add(type);
            system.Power = type switch
            {
                "ForceOff" or "GracefulShutdown" => "Off",
                "On" or "ForceOn" or "PowerCycle" => "On",
                _ => system.Power,
            };
            system.ETag = $"W/\"{Interlocked.Increment(ref _etagCounter)}\"";
        }

        Options.OnReset?.Invoke(system.Id, type);
        if (Options.AsyncResetPolls is not { } polls)
        {
            return new Reply(204);
        }

        string task = Interlocked.Increment(ref _taskCounter).ToString(System.Globalization.CultureInfo.InvariantCulture);
        _taskPolls[task] = polls;
        return new Reply(202, new JsonObject { ["@odata.id"] = "/redfish/v1/TaskService/Tasks/" + task, ["Id"] = task, ["TaskState"] = "Running" })
        {
            Headers = { ("Location", "/redfish/v1/TaskService/TaskMonitors/" + task), ("Retry-After", "1") },
        };
    }

    private Reply PollTask(string path)
    {
        string task = path.Split('/')[^1];
        if (!_taskPolls.TryGetValue(task, out int remaining))
        {
            return Error(404, "Base.1.8.ResourceMissingAtURI", "no such task monitor");
        }

        if (remaining > 0)
        {
            _taskPolls[task] = remaining - 1;
            return new Reply(202, new JsonObject { ["Id"] = task, ["TaskState"] = "Running", ["PercentComplete"] = 50 });
        }

        _taskPolls.TryRemove(task, out _);
        var result = new JsonObject
        {
            ["@odata.id"] = "/redfish/v1/TaskService/Tasks/" + task,
            ["Id"] = task,
            ["TaskState"] = Options.AsyncResetFails ? "Exception" : "Completed",
            ["TaskStatus"] = Options.AsyncResetFails ? "Critical" : "OK",
        };
        if (Options.AsyncResetFails)
        {
            result["Messages"] = new JsonArray(new JsonObject { ["MessageId"] = "Base.1.8.GeneralError", ["Message"] = "The power supply did not respond." });
        }

        return Ok(result);
    }

    private static Reply Ok(JsonObject body, SimulatedSystem? system = null)
    {
        var reply = new Reply(200, body);
        if (system is not null && body["@odata.etag"] is JsonValue etag)
        {
            reply.Headers.Add(("ETag", etag.GetValue<string>()));
        }

        return reply;
    }

    private static Reply Error(int status, string messageId, string message) => new(status, new JsonObject
    {
        ["error"] = new JsonObject
        {
            ["code"] = messageId,
            ["message"] = "A general error has occurred. See ExtendedInfo for more information.",
            ["@Message.ExtendedInfo"] = new JsonArray(new JsonObject
            {
                ["@odata.type"] = "#Message.v1_1_1.Message",
                ["MessageId"] = messageId,
                ["Message"] = message,
                ["Severity"] = "Warning",
                ["Resolution"] = "None",
            }),
        },
    });

    private sealed class Reply(int status, JsonObject? body = null)
    {
        public int Status { get; } = status;

        public JsonObject? Body { get; } = body;

        public List<(string Name, string Value)> Headers { get; } = [];

        public bool Hang { get; init; }
    }
}

/// <summary>One ComputerSystem's state in <see cref="RedfishTestServer"/>.</summary>
internal sealed class SimulatedSystem(string id, string power)
{
    public string Id { get; } = id;

    public string Power { get; set; } = power;

    public string OverrideEnabled { get; set; } = "Disabled";

    public string OverrideTarget { get; set; } = "None";

    public string OverrideMode { get; set; } = "UEFI";

    public string ETag { get; set; } = "W/\"1\"";

    public int BootPatches { get; set; }

    /// <summary>Every ResetType the system carried out, in order.</summary>
    public List<string> ResetTypes { get; } = [];
}

/// <summary>How a <see cref="RedfishTestServer"/> behaves.</summary>
internal sealed record RedfishTestServerOptions
{
    public string UserName { get; init; } = "admin";

    public string Password { get; init; } = "S3cr3t-Bmc-Pa55";

    public IReadOnlyList<string> SystemIds { get; init; } = ["1"];

    public string InitialPower { get; init; } = "On";

    /// <summary>ResetType@Redfish.AllowableValues; null leaves the annotation out.</summary>
    public IReadOnlyList<string>? AdvertisedResetTypes { get; init; } = ["On", "ForceOff", "GracefulShutdown", "ForceRestart", "PowerCycle"];

    /// <summary>What the BMC really accepts; null means what it advertises.</summary>
    public IReadOnlyList<string>? AcceptedResetTypes { get; init; }

    /// <summary>Advertise the reset types through @Redfish.ActionInfo instead of inline.</summary>
    public bool ResetTypesViaActionInfo { get; init; }

    public IReadOnlyList<string> BootTargets { get; init; } = ["None", "Pxe", "Hdd", "UefiHttp", "BiosSetup"];

    public bool BootModeSupported { get; init; } = true;

    public bool SessionsSupported { get; init; } = true;

    public bool BasicSupported { get; init; } = true;

    public bool RequireEtag { get; init; }

    /// <summary>Answer resets with 202 + a task monitor that says "running" this many times before finishing; null: 204 at once.</summary>
    public int? AsyncResetPolls { get; init; }

    public bool AsyncResetFails { get; init; }

    public bool FailReset { get; init; }

    public bool HangOnReset { get; init; }

    public bool EchoCredentialsInErrors { get; init; }

    public Action<string, string>? OnRequest { get; init; }

    public Action<string, string>? OnReset { get; init; }
}
