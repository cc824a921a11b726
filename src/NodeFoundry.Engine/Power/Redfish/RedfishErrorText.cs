using System.Text.Json;
using System.Text.Json.Nodes;

namespace NodeFoundry.Power.Redfish;

/// <summary>
/// Turns a Redfish error body (<c>{"error": {"code", "message", "@Message.ExtendedInfo": [{"MessageId", "Message",
/// "Resolution"}]}}</c>) into one line for an exception message. Pure. Anything the BMC says is untrusted text:
/// control characters are dropped and the length is capped.
/// </summary>
public static class RedfishErrorText
{
    private const int MaxLength = 600;

    /// <summary>The BMC's own explanation, or null when the body is not a Redfish error.</summary>
    public static string? Describe(string? body)
    {
        if (string.IsNullOrWhiteSpace(body))
        {
            return null;
        }

        JsonNode? root;
        try
        {
            root = JsonNode.Parse(body);
        }
        catch (JsonException)
        {
            return null;
        }

        if (root is not JsonObject rootObject || rootObject["error"] is not JsonObject error)
        {
            return null;
        }

        var parts = new List<string>();
        if (error["@Message.ExtendedInfo"] is JsonArray infos)
        {
            foreach (JsonObject info in infos.OfType<JsonObject>())
            {
                string? id = Text(info["MessageId"]);
                string? message = Text(info["Message"]);
                string? resolution = Text(info["Resolution"]);
                string line = (id, message) switch
                {
                    (not null, not null) => $"{message} ({id})",
                    (null, not null) => message,
                    (not null, null) => id,
                    _ => string.Empty,
                };
                if (line.Length > 0 && resolution is not null && resolution != "None")
                {
                    line += " Resolution: " + resolution;
                }

                if (line.Length > 0)
                {
                    parts.Add(line);
                }
            }
        }

        if (parts.Count == 0)
        {
            string? message = Text(error["message"]) ?? Text(error["code"]);
            if (message is not null)
            {
                parts.Add(message);
            }
        }

        return parts.Count == 0 ? null : Clean(string.Join("; ", parts));
    }

    private static string? Text(JsonNode? node) =>
        node is JsonValue value && value.TryGetValue(out string? text) && !string.IsNullOrWhiteSpace(text) ? text.Trim() : null;

    private static string Clean(string text)
    {
        var cleaned = new string([.. text.Where(c => !char.IsControl(c))]);
        return cleaned.Length <= MaxLength ? cleaned : cleaned[..MaxLength] + "…";
    }
}
