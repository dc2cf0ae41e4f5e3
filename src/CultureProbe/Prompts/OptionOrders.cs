using System.Globalization;

namespace CultureProbe.Prompts;

/// <summary>One order in which an item's options are listed.</summary>
/// <param name="Id"><c>original</c>, <c>reversed</c>, <c>rot1</c>… (rotation by 1…), or <c>random1</c>….</param>
/// <param name="Listing">Listing[p] is the index (in the item's own order) of the option listed at position p, lettered A, B, … by position.</param>
public sealed record OptionOrder(string Id, IReadOnlyList<int> Listing)
{
    /// <summary>Whether the options are listed in the item's own order.</summary>
    public bool IsOriginal => Listing.Select((option, position) => option == position).All(same => same);

    /// <summary>The original order of <paramref name="count"/> options.</summary>
    public static OptionOrder Original(int count) => new("original", Enumerable.Range(0, count).ToArray());

    /// <summary>
    /// Maps a distribution over the listed positions back to the item's own option order:
    /// result[Listing[p]] = <paramref name="listed"/>[p].
    /// </summary>
    public double[] ToOptionOrder(IReadOnlyList<double> listed)
    {
        ArgumentNullException.ThrowIfNull(listed);
        if (listed.Count != Listing.Count)
        {
            throw new ArgumentException($"order {Id} lists {Listing.Count} options, the distribution has {listed.Count}", nameof(listed));
        }
        var result = new double[listed.Count];
        for (var p = 0; p < listed.Count; p++)
        {
            result[Listing[p]] = listed[p];
        }
        return result;
    }
}

/// <summary>Which orders every item is asked in; <c>--option-orders</c>.</summary>
/// <param name="Scheme"><c>original</c>, <c>reversed</c>, <c>rotations</c> or <c>random</c>.</param>
/// <param name="Count">For <c>random</c>: how many random orders.</param>
/// <param name="Seed">For <c>random</c>: the seed (each item's orders are drawn from it and the item's code, so they do not depend on the other items).</param>
public sealed record OptionOrders(string Scheme, int Count = 0, int Seed = 0)
{
    /// <summary>The item's own order only (Kim &amp; Baek's).</summary>
    public static OptionOrders Original { get; } = new("original");

    /// <summary>The wire form: <c>original</c>, <c>reversed</c>, <c>rotations</c>, <c>random:N</c>.</summary>
    public override string ToString() => Scheme == "random" ? string.Create(CultureInfo.InvariantCulture, $"random:{Count}") : Scheme;

    /// <summary>Whether only the original order is asked.</summary>
    public bool IsOriginalOnly => Scheme == "original";

    /// <summary>
    /// Reads <c>original</c> (the item's order), <c>reversed</c> (the item's order and its reverse), <c>rotations</c>
    /// (every cyclic rotation, the original among them: K orders for K options) or <c>random:N</c> (N random orders).
    /// </summary>
    /// <exception cref="SettingException">Anything else.</exception>
    public static OptionOrders Parse(string text, int seed = 0)
    {
        ArgumentNullException.ThrowIfNull(text);
        var value = text.Trim().ToLowerInvariant();
        if (value is "original" or "reversed" or "rotations")
        {
            return new OptionOrders(value, Seed: seed);
        }
        if (value.StartsWith("random:", StringComparison.Ordinal)
            && int.TryParse(value.AsSpan(7), NumberStyles.None, CultureInfo.InvariantCulture, out var count) && count is >= 1 and <= 100)
        {
            return new OptionOrders("random", count, seed);
        }
        throw new SettingException("option_orders", $"expected original, reversed, rotations or random:N (N from 1 to 100), found '{text}'");
    }

    /// <summary>The orders of an item with <paramref name="count"/> options and code <paramref name="question"/>, the original first when it is among them.</summary>
    public IReadOnlyList<OptionOrder> For(int count, string question)
    {
        ArgumentNullException.ThrowIfNull(question);
        var original = OptionOrder.Original(count);
        switch (Scheme)
        {
            case "original":
                return [original];
            case "reversed":
                return count < 2 ? [original] : [original, new OptionOrder("reversed", Enumerable.Range(0, count).Reverse().ToArray())];
            case "rotations":
                return Enumerable.Range(0, count).Select(r => r == 0 ? original : new OptionOrder(
                    string.Create(CultureInfo.InvariantCulture, $"rot{r}"), Enumerable.Range(0, count).Select(p => (p + r) % count).ToArray())).ToArray();
            case "random":
            {
                var random = new Random(StableSeed(Seed, question));
                var orders = new List<OptionOrder>(Count);
                for (var i = 1; i <= Count; i++)
                {
                    var listing = Enumerable.Range(0, count).ToArray();
                    random.Shuffle(listing);
                    orders.Add(new OptionOrder(string.Create(CultureInfo.InvariantCulture, $"random{i}"), listing));
                }
                return orders;
            }
            default:
                throw new InvalidOperationException($"unknown option-order scheme '{Scheme}'");
        }
    }

    private static int StableSeed(int seed, string text)
    {
        // FNV-1a: stable across processes, unlike string.GetHashCode.
        var hash = 2166136261u ^ unchecked((uint)seed);
        foreach (var c in text)
        {
            hash = (hash ^ c) * 16777619u;
        }
        return (int)(hash & 0x7FFFFFFF);
    }
}
