namespace CultureProbe.Analysis.MixedModels;

/// <summary>
/// A fixed-effects term: the variables multiplied together, in the formula's variable order
/// (order of first appearance), so <c>f:x</c> after <c>x</c> is named <c>x:f</c> as R names it.
/// An empty list never appears here; the intercept is <see cref="ModelFormula.HasIntercept"/>.
/// </summary>
/// <param name="Variables">Column names, in the formula's variable order.</param>
public sealed record FormulaTerm(IReadOnlyList<string> Variables)
{
    /// <summary>The term's label as R writes it, e.g. <c>x:f</c>.</summary>
    public string Label => string.Join(':', Variables);

    /// <inheritdoc/>
    public bool Equals(FormulaTerm? other) => other is not null && Variables.SequenceEqual(other.Variables, StringComparer.Ordinal);

    /// <inheritdoc/>
    public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(Label);
}

/// <summary>
/// A random-effects term <c>(lhs | g)</c>: a model matrix built from <paramref name="Terms"/>
/// (and an intercept unless removed) whose coefficients vary by the levels of the grouping
/// factor, with an unstructured covariance matrix.
/// </summary>
/// <param name="Terms">The terms of the left-hand side, ordered as in a fixed-effects formula.</param>
/// <param name="HasIntercept">Whether the left-hand side has an intercept (<c>0 +</c> or <c>- 1</c> remove it).</param>
/// <param name="GroupingVariables">The variables whose combinations of levels are the groups (one, or several for <c>a:b</c> or nesting).</param>
/// <param name="GroupName">The group's name as lme4 prints it: <c>g</c>, <c>a:b</c>, or <c>g2:g1</c> for the inner part of <c>g1/g2</c>.</param>
public sealed record RandomTerm(IReadOnlyList<FormulaTerm> Terms, bool HasIntercept, IReadOnlyList<string> GroupingVariables, string GroupName);

/// <summary>
/// A parsed model formula in lme4 syntax, <c>y ~ x + f + a:b + (x | g) + (1 | g1/g2)</c>, with
/// the fixed part expanded into terms as R's <c>terms()</c> expands it.
/// </summary>
/// <param name="Text">The formula as written.</param>
/// <param name="Response">The response column.</param>
/// <param name="HasIntercept">Whether the fixed part has an intercept.</param>
/// <param name="FixedTerms">Fixed-effects terms, ordered by degree and then by appearance, as R orders them.</param>
/// <param name="RandomTerms">Random-effects terms in the order written, nesting and <c>||</c> expanded as lme4 expands them.</param>
/// <param name="Variables">Every column the formula names, response first, in order of first appearance.</param>
public sealed record ModelFormula(
    string Text,
    string Response,
    bool HasIntercept,
    IReadOnlyList<FormulaTerm> FixedTerms,
    IReadOnlyList<RandomTerm> RandomTerms,
    IReadOnlyList<string> Variables)
{
    /// <summary>Parses <paramref name="text"/>.</summary>
    /// <exception cref="InputException">The formula is malformed; the message names the column and what was expected.</exception>
    public static ModelFormula Parse(string text) => FormulaParser.Parse(text);
}
