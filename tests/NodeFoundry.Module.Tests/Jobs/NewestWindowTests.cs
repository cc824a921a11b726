using NodeFoundry.PowerShell.Jobs;

namespace NodeFoundry.Tests.Jobs;

public sealed class NewestWindowTests
{
    [Fact]
    public void Keeps_the_newest_items_and_reports_discards()
    {
        var items = new List<int>();
        int[] discarded = [.. Enumerable.Range(1, 5).Select(i => NewestWindow.Add(items, items, i, capacity: 3))];

        Assert.Equal([3, 4, 5], items);
        Assert.Equal([0, 0, 0, 1, 1], discarded);
    }

    [Fact]
    public void Trims_a_list_that_is_already_over_capacity()
    {
        var items = new List<int> { 1, 2, 3, 4 };

        Assert.Equal(3, NewestWindow.Add(items, items, 5, capacity: 2));
        Assert.Equal([4, 5], items);
    }

    [Fact]
    public async Task Reader_draining_concurrently_never_breaks_the_bound()
    {
        var items = new List<int>();
        using var cancel = new CancellationTokenSource();
        var reader = Task.Run(() =>
        {
            while (!cancel.IsCancellationRequested)
            {
                lock (items)
                {
                    items.Clear();
                }
            }
        });

        for (int i = 0; i < 20_000; i++)
        {
            NewestWindow.Add(new LockedList(items), items, i, capacity: 8);
            lock (items)
            {
                Assert.True(items.Count <= 8);
            }
        }

        cancel.Cancel();
        await reader.WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public void Capacity_must_be_positive()
    {
        var items = new List<int>();
        Assert.Throws<ArgumentOutOfRangeException>(() => NewestWindow.Add(items, items, 1, capacity: 0));
    }

    /// <summary>Locks each operation, as PSDataCollection does internally.</summary>
    private sealed class LockedList(List<int> inner) : System.Collections.ObjectModel.Collection<int>(inner)
    {
        protected override void InsertItem(int index, int item)
        {
            lock (inner)
            {
                base.InsertItem(Math.Min(index, inner.Count), item);
            }
        }

        protected override void RemoveItem(int index)
        {
            lock (inner)
            {
                base.RemoveItem(index);
            }
        }
    }
}
