using System.Text.Json;
using NodeFoundry.Simulation;

namespace NodeFoundry.Host;

/// <summary>A storm report as one JSON object for scripts (bench/storm/run.sh reads it with jq); seconds as numbers.</summary>
internal static class StormReportJson
{
    public static byte[] Write(StormReport report, double lossPercent, string? impairment)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteNumber("nodes", report.Nodes);
            json.WriteNumber("booted", report.Booted);
            json.WriteNumber("failed", report.Failed);
            json.WriteNumber("lossPercent", lossPercent);
            json.WriteNumber("concurrency", report.Concurrency);
            json.WriteNumber("rippleSeconds", report.Ripple.TotalSeconds);
            json.WriteNumber("durationSeconds", report.Duration.TotalSeconds);
            json.WriteNumber("bytesMoved", report.BytesMoved);
            json.WriteNumber("nbpBytes", report.NbpBytes);
            json.WriteNumber("httpBytes", report.HttpBytes);
            json.WriteNumber("dhcpSent", report.DhcpSent);
            json.WriteNumber("dhcpRetransmits", report.DhcpRetransmits);
            json.WriteNumber("dhcpUnmatchedReplies", report.DhcpUnmatchedReplies);
            json.WriteNumber("tftpDuplicateBlocks", report.TftpDuplicateBlocks);
            json.WriteNumber("tftpLateReads", report.TftpLateReads);
            json.WriteStartObject("clientLateness");
            json.WriteNumber("samples", report.ClientLateness.Samples);
            json.WriteNumber("p50Seconds", report.ClientLateness.P50.TotalSeconds);
            json.WriteNumber("p99Seconds", report.ClientLateness.P99.TotalSeconds);
            json.WriteNumber("maxSeconds", report.ClientLateness.Max.TotalSeconds);
            json.WriteNumber("overHalfSecond", report.ClientLateness.OverHalfSecond);
            json.WriteEndObject();
            if (impairment is not null)
            {
                json.WriteString("impairment", impairment);
            }

            json.WriteStartArray("stages");
            foreach (var stage in report.Stages)
            {
                json.WriteStartObject();
                json.WriteString("stage", stage.Stage.ToString());
                json.WriteNumber("completed", stage.Completed);
                json.WriteNumber("p50Seconds", stage.P50.TotalSeconds);
                json.WriteNumber("p95Seconds", stage.P95.TotalSeconds);
                json.WriteNumber("p99Seconds", stage.P99.TotalSeconds);
                json.WriteNumber("maxSeconds", stage.Max.TotalSeconds);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteStartArray("failures");
            foreach (var failure in report.Failures)
            {
                json.WriteStartObject();
                json.WriteString("stage", failure.Stage.ToString());
                json.WriteString("cause", failure.Cause.ToString());
                json.WriteNumber("count", failure.Count);
                json.WriteString("example", failure.Example);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        return buffer.ToArray();
    }
}
