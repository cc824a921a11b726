using NodeFoundry.Power;
using NodeFoundry.Power.Redfish;

namespace NodeFoundry.Tests.Power.Redfish;

/// <summary>The pure Redfish pieces: reset-type planning, boot target names, error bodies, task states.</summary>
public sealed class RedfishPureTests
{
    private static readonly string[] Everything = ["On", "ForceOff", "GracefulShutdown", "GracefulRestart", "ForceRestart", "Nmi", "ForceOn", "PushPowerButton", "PowerCycle"];

    [Theory]
    [InlineData(PowerAction.Cycle, "PowerCycle")]
    [InlineData(PowerAction.Reset, "ForceRestart")]
    [InlineData(PowerAction.On, "On")]
    [InlineData(PowerAction.Off, "ForceOff")]
    [InlineData(PowerAction.SoftOff, "GracefulShutdown")]
    public void A_BMC_that_allows_everything_gets_the_preferred_type(PowerAction action, string expected)
    {
        Assert.True(RedfishResetPlan.TryPlan(action, Everything, out IReadOnlyList<string> plan, out string? error));
        Assert.Equal([expected], plan);
        Assert.Null(error);
    }

    [Theory]
    [InlineData(PowerAction.Cycle, new[] { "On", "ForceOff" }, new[] { "ForceOff", "On" })]
    [InlineData(PowerAction.Cycle, new[] { "ForceOn", "ForceOff" }, new[] { "ForceOff", "ForceOn" })]
    [InlineData(PowerAction.On, new[] { "ForceOn", "ForceOff" }, new[] { "ForceOn" })]
    public void Fallbacks_apply_when_the_preferred_type_is_not_allowed(PowerAction action, string[] allowed, string[] expected)
    {
        Assert.True(RedfishResetPlan.TryPlan(action, allowed, out IReadOnlyList<string> plan, out _));
        Assert.Equal(expected, plan);
    }

    [Fact]
    public void Nothing_suitable_names_what_is_needed_and_what_is_allowed()
    {
        Assert.False(RedfishResetPlan.TryPlan(PowerAction.Cycle, ["GracefulRestart", "Nmi"], out IReadOnlyList<string> plan, out string? error));
        Assert.Empty(plan);
        Assert.Equal("power action Cycle needs ResetType PowerCycle or ForceOff+On or ForceOff+ForceOn, but the BMC allows only: GracefulRestart, Nmi", error);
    }

    [Fact]
    public void Unadvertised_types_try_the_preferred_one_and_None_sends_nothing()
    {
        Assert.True(RedfishResetPlan.TryPlan(PowerAction.Cycle, null, out IReadOnlyList<string> plan, out _));
        Assert.Equal(["PowerCycle"], plan);
        Assert.True(RedfishResetPlan.TryPlan(PowerAction.None, [], out plan, out _));
        Assert.Empty(plan);
    }

    [Theory]
    [InlineData(BootDevice.None, "None")]
    [InlineData(BootDevice.Pxe, "Pxe")]
    [InlineData(BootDevice.Disk, "Hdd")]
    [InlineData(BootDevice.UefiHttp, "UefiHttp")]
    [InlineData(BootDevice.BiosSetup, "BiosSetup")]
    public void Boot_targets_round_trip(BootDevice device, string target)
    {
        Assert.Equal(target, RedfishBootTarget.ToTarget(device));
        Assert.Equal(device, RedfishBootTarget.FromTarget(target));
    }

    [Fact]
    public void Targets_NodeFoundry_does_not_set_read_as_unknown()
    {
        Assert.Null(RedfishBootTarget.FromTarget("Cd"));
    }

    [Fact]
    public void Error_bodies_give_the_extended_info_messages_with_ids_and_resolutions()
    {
        const string body = """
            {"error": {"code": "Base.1.8.GeneralError", "message": "A general error has occurred.",
              "@Message.ExtendedInfo": [
                {"MessageId": "Base.1.8.PropertyValueNotInList", "Message": "The value 'Floppy' for the property BootSourceOverrideTarget is not in the list of acceptable values.", "Resolution": "Choose a value from the enumeration list."},
                {"MessageId": "Base.1.8.Success", "Message": "Line\nbreak", "Resolution": "None"}]}}
            """;

        Assert.Equal(
            "The value 'Floppy' for the property BootSourceOverrideTarget is not in the list of acceptable values. (Base.1.8.PropertyValueNotInList) Resolution: Choose a value from the enumeration list.; Linebreak (Base.1.8.Success)",
            RedfishErrorText.Describe(body));
    }

    [Theory]
    [InlineData("""{"error": {"code": "Base.1.8.GeneralError", "message": "Busy."}}""", "Busy.")]
    [InlineData("""{"error": {"code": "Base.1.8.GeneralError"}}""", "Base.1.8.GeneralError")]
    [InlineData("""{"Id": "1"}""", null)]
    [InlineData("<html>502</html>", null)]
    [InlineData("", null)]
    public void Error_bodies_without_extended_info_fall_back_to_message_then_code(string body, string? expected)
    {
        Assert.Equal(expected, RedfishErrorText.Describe(body));
    }

    [Fact]
    public void Error_text_is_capped()
    {
        string body = "{\"error\": {\"message\": \"" + new string('x', 5000) + "\"}}";

        Assert.True(RedfishErrorText.Describe(body)!.Length <= 601);
    }

    [Theory]
    [InlineData("Completed", true, true, false)]
    [InlineData("Exception", true, false, true)]
    [InlineData("Killed", true, false, true)]
    [InlineData("Cancelled", true, false, true)]
    [InlineData("Running", false, false, false)]
    [InlineData("New", false, false, false)]
    [InlineData("Pending", false, false, false)]
    public void Task_states(string state, bool finished, bool succeeded, bool failed)
    {
        Assert.Equal((finished, succeeded, failed), (RedfishTaskState.IsFinished(state), RedfishTaskState.IsSucceeded(state), RedfishTaskState.IsFailed(state)));
    }
}
