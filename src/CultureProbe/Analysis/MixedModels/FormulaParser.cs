using System.Globalization;

namespace CultureProbe.Analysis.MixedModels;

/// <summary>
/// Parses lme4 formulas by recursive descent with R's operator precedence (<c>+ -</c> below
/// <c>* /</c> below <c>:</c> below <c>^</c>), then expands the fixed part into terms with R's
/// rules: <c>a*b = a + b + a:b</c>, <c>a/b = a + a:b</c>, <c>(a+b)^2</c> all two-way products,
/// <c>- t</c> removes a term, <c>0</c> or <c>- 1</c> removes the intercept.
/// </summary>
internal sealed class FormulaParser
{
    private readonly string _text;
    private readonly List<Token> _tokens;
    private int _next;

    private FormulaParser(string text)
    {
        _text = text;
        _tokens = Tokenize(text);
    }

    public static ModelFormula Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var parser = new FormulaParser(text);
        return parser.ParseFormula();
    }

    private enum Kind
    {
        Name,
        Number,
        Symbol,
        End,
    }

    private readonly record struct Token(Kind Kind, string Text, int Column);

    private abstract record Node(int Column);

    private sealed record NameNode(string Name, int Column) : Node(Column);

    private sealed record NumberNode(double Value, string Text, int Column) : Node(Column);

    private sealed record BinaryNode(string Op, Node Left, Node Right, int Column) : Node(Column);

    private sealed record NegateNode(Node Operand, int Column) : Node(Column);

    private sealed record ParenNode(Node Inner, int Column) : Node(Column);

    private sealed record BarNode(Node Lhs, Node Group, bool Uncorrelated, int Column) : Node(Column);

    private ModelFormula ParseFormula()
    {
        if (Peek.Kind != Kind.Name)
        {
            throw Expected("the response (a column name) before '~'");
        }
        var response = Take().Text;
        if (Peek.Text != "~")
        {
            throw Expected("'~' after the response");
        }
        Take();
        var rhs = ParseSum();
        if (Peek.Kind != Kind.End)
        {
            throw Expected(Peek.Text == ")" ? "an operator or the end of the formula (unmatched ')')" : "an operator (+, -, *, /, :) or the end of the formula");
        }

        var fixedVariables = new Registry();
        fixedVariables.Index(response);
        var randomNodes = new List<BarNode>();
        var (terms, intercept) = EvaluateSum(rhs, fixedVariables, randomNodes);
        var fixedTerms = Finish(terms, fixedVariables);

        var randomTerms = new List<RandomTerm>();
        foreach (var bar in randomNodes)
        {
            var lhsVariables = new Registry();
            var (lhsTerms, lhsIntercept) = EvaluateSum(bar.Lhs, lhsVariables, null);
            var effects = Finish(lhsTerms, lhsVariables);
            if (!lhsIntercept && effects.Count == 0)
            {
                throw new InputException($"formula '{_text}', column {bar.Column}: the random-effects term has no effects (expected a left-hand side such as 1 or x before '|')");
            }
            var groupings = EvaluateGroup(bar.Group);
            // findbars lists nested groupings innermost first: (1|a/b) gives (1|b:a) then (1|a).
            groupings.Reverse();
            foreach (var (variables, name) in groupings)
            {
                if (bar.Uncorrelated)
                {
                    if (lhsIntercept)
                    {
                        randomTerms.Add(new RandomTerm([], true, variables, name));
                    }
                    foreach (var term in effects)
                    {
                        randomTerms.Add(new RandomTerm([term], false, variables, name));
                    }
                }
                else
                {
                    randomTerms.Add(new RandomTerm(effects, lhsIntercept, variables, name));
                }
            }
        }

        var all = new List<string> { response };
        foreach (var name in fixedVariables.Names.Concat(randomTerms.SelectMany(r => r.Terms.SelectMany(t => t.Variables).Concat(r.GroupingVariables))))
        {
            if (!all.Contains(name, StringComparer.Ordinal))
            {
                all.Add(name);
            }
        }
        return new ModelFormula(_text, response, intercept, fixedTerms, randomTerms, all);
    }

    private static List<FormulaTerm> Finish(List<int[]> terms, Registry registry) =>
        terms.Where(t => t.Length > 0)
            .Select((t, i) => (Term: t, Order: i))
            .OrderBy(x => x.Term.Length)
            .ThenBy(x => x.Order)
            .Select(x => new FormulaTerm(x.Term.Select(v => registry.Names[v]).ToArray()))
            .ToList();

    private (List<int[]> Terms, bool Intercept) EvaluateSum(Node node, Registry registry, List<BarNode>? randomNodes)
    {
        var operands = new List<(int Sign, Node Operand)>();
        Flatten(node, +1, operands);
        var terms = new List<int[]>();
        var intercept = true;
        foreach (var (sign, operand) in operands)
        {
            switch (operand)
            {
                case NumberNode { Value: 0 }:
                    intercept = sign < 0;
                    break;
                case NumberNode { Value: 1 }:
                    intercept = sign > 0;
                    break;
                case BarNode bar when randomNodes is not null:
                    if (sign < 0)
                    {
                        throw new InputException($"formula '{_text}', column {bar.Column}: a random-effects term cannot be subtracted (expected '+' before '(... | ...)')");
                    }
                    randomNodes.Add(bar);
                    break;
                case BarNode bar:
                    throw new InputException($"formula '{_text}', column {bar.Column}: a random-effects term '(... | ...)' cannot appear here (expected it as a top-level term of the right-hand side)");
                default:
                    var evaluated = Evaluate(operand, registry);
                    if (sign > 0)
                    {
                        AddAll(terms, evaluated);
                    }
                    else
                    {
                        terms.RemoveAll(t => evaluated.Any(e => e.AsSpan().SequenceEqual(t)));
                    }
                    break;
            }
        }
        return (terms, intercept);
    }

    private static void Flatten(Node node, int sign, List<(int, Node)> operands)
    {
        switch (node)
        {
            case BinaryNode { Op: "+" } plus:
                Flatten(plus.Left, sign, operands);
                Flatten(plus.Right, sign, operands);
                break;
            case BinaryNode { Op: "-" } minus:
                Flatten(minus.Left, sign, operands);
                Flatten(minus.Right, -sign, operands);
                break;
            case NegateNode negate:
                Flatten(negate.Operand, -sign, operands);
                break;
            default:
                operands.Add((sign, node));
                break;
        }
    }

    private List<int[]> Evaluate(Node node, Registry registry)
    {
        switch (node)
        {
            case NameNode name:
                return [[registry.Index(name.Name)]];
            case NumberNode { Value: 1 }:
                return [[]];
            case NumberNode number:
                throw new InputException($"formula '{_text}', column {number.Column}: expected a column name, found the number {number.Text} (only 0 and 1 may stand alone in a sum)");
            case ParenNode paren:
                return EvaluateSum(paren.Inner, registry, null).Terms;
            case BarNode bar:
                throw new InputException($"formula '{_text}', column {bar.Column}: a random-effects term '(... | ...)' cannot appear inside an interaction (expected it as a top-level term)");
            case NegateNode negate:
                throw new InputException($"formula '{_text}', column {negate.Column}: expected a term, found '-' inside a product");
            case BinaryNode { Op: "+" or "-" } sum:
                return EvaluateSum(sum, registry, null).Terms;
            case BinaryNode binary:
                var left = Evaluate(binary.Left, registry);
                if (binary.Op == "^")
                {
                    if (binary.Right is not NumberNode { Value: >= 1 } power || power.Value != Math.Floor(power.Value))
                    {
                        throw new InputException($"formula '{_text}', column {binary.Right.Column}: expected a whole number of at least 1 after '^'");
                    }
                    var result = left;
                    for (var i = 1; i < (int)power.Value; i++)
                    {
                        result = Star(result, left);
                    }
                    return result;
                }
                var right = Evaluate(binary.Right, registry);
                return binary.Op switch
                {
                    ":" => Cross(left, right),
                    "*" => Star(left, right),
                    "/" => Nest(left, right),
                    _ => throw new InvalidOperationException($"unknown operator {binary.Op}"),
                };
            default:
                throw new InvalidOperationException($"unknown node {node}");
        }
    }

    private static List<int[]> Cross(List<int[]> left, List<int[]> right)
    {
        var result = new List<int[]>();
        foreach (var l in left)
        {
            foreach (var r in right)
            {
                AddAll(result, [l.Union(r).Order().ToArray()]);
            }
        }
        return result;
    }

    private static List<int[]> Star(List<int[]> left, List<int[]> right)
    {
        var result = new List<int[]>();
        AddAll(result, left);
        AddAll(result, right);
        AddAll(result, Cross(left, right));
        return result;
    }

    private static List<int[]> Nest(List<int[]> left, List<int[]> right)
    {
        var result = new List<int[]>();
        AddAll(result, left);
        AddAll(result, Cross([left.SelectMany(t => t).Distinct().Order().ToArray()], right));
        return result;
    }

    private static void AddAll(List<int[]> terms, IEnumerable<int[]> more)
    {
        foreach (var term in more)
        {
            if (!terms.Any(t => t.AsSpan().SequenceEqual(term)))
            {
                terms.Add(term);
            }
        }
    }

    private List<(IReadOnlyList<string> Variables, string Name)> EvaluateGroup(Node node)
    {
        switch (node)
        {
            case NameNode name:
                return [([name.Name], name.Name)];
            case ParenNode paren:
                return EvaluateGroup(paren.Inner);
            case BinaryNode { Op: ":" } cross:
                var left = SingleGroup(cross.Left);
                var right = SingleGroup(cross.Right);
                return [(left.Variables.Concat(right.Variables).Distinct(StringComparer.Ordinal).ToArray(), $"{left.Name}:{right.Name}")];
            case BinaryNode { Op: "/" } nest:
                var outer = EvaluateGroup(nest.Left);
                var inner = SingleGroup(nest.Right);
                var last = outer[^1];
                var lastName = last.Name.Contains(':', StringComparison.Ordinal) ? $"({last.Name})" : last.Name;
                outer.Add((last.Variables.Concat(inner.Variables).Distinct(StringComparer.Ordinal).ToArray(), $"{inner.Name}:{lastName}"));
                return outer;
            default:
                throw new InputException($"formula '{_text}', column {node.Column}: expected a grouping factor after '|' (a column name, a:b, or g1/g2 for nesting)");
        }
    }

    private (IReadOnlyList<string> Variables, string Name) SingleGroup(Node node)
    {
        var groups = EvaluateGroup(node);
        if (groups.Count != 1)
        {
            throw new InputException($"formula '{_text}', column {node.Column}: expected a single grouping factor here, found a nesting '/'");
        }
        return groups[0];
    }

    // sum := ['-'] product (('+' | '-') product)*
    private Node ParseSum()
    {
        Node left;
        if (Peek.Text == "-")
        {
            var minus = Take();
            left = new NegateNode(ParseProduct(), minus.Column);
        }
        else
        {
            left = ParseProduct();
        }
        while (Peek.Text is "+" or "-")
        {
            var op = Take();
            left = new BinaryNode(op.Text, left, ParseProduct(), op.Column);
        }
        return left;
    }

    // product := interaction (('*' | '/') interaction)*
    private Node ParseProduct()
    {
        var left = ParseInteraction();
        while (Peek.Text is "*" or "/")
        {
            var op = Take();
            left = new BinaryNode(op.Text, left, ParseInteraction(), op.Column);
        }
        return left;
    }

    // interaction := power (':' power)*
    private Node ParseInteraction()
    {
        var left = ParsePower();
        while (Peek.Text == ":")
        {
            var op = Take();
            left = new BinaryNode(op.Text, left, ParsePower(), op.Column);
        }
        return left;
    }

    // power := primary ['^' number]
    private Node ParsePower()
    {
        var left = ParsePrimary();
        if (Peek.Text == "^")
        {
            var op = Take();
            if (Peek.Kind != Kind.Number)
            {
                throw Expected("a whole number after '^'");
            }
            left = new BinaryNode("^", left, ParsePrimary(), op.Column);
        }
        return left;
    }

    // primary := name | number | '(' sum [('|' | '||') sum] ')'
    private Node ParsePrimary()
    {
        var token = Peek;
        switch (token.Kind)
        {
            case Kind.Name:
                Take();
                if (Peek.Text == "(")
                {
                    throw new InputException($"formula '{_text}', column {token.Column}: functions such as {token.Text}(...) are not supported (expected a column name; add a transformed column to the data instead)");
                }
                return new NameNode(token.Text, token.Column);
            case Kind.Number:
                Take();
                return new NumberNode(double.Parse(token.Text, NumberStyles.Float, CultureInfo.InvariantCulture), token.Text, token.Column);
            case Kind.Symbol when token.Text == "(":
                Take();
                var inner = ParseSum();
                if (Peek.Text is "|" or "||")
                {
                    var bar = Take();
                    var group = ParseSum();
                    ExpectClose(token);
                    return new BarNode(inner, group, bar.Text == "||", token.Column);
                }
                ExpectClose(token);
                return new ParenNode(inner, token.Column);
            default:
                throw Expected("a term (a column name, 0, 1 or '(')");
        }
    }

    private void ExpectClose(Token open)
    {
        if (Peek.Text != ")")
        {
            throw Expected($"')' to close the '(' at column {open.Column}");
        }
        Take();
    }

    private Token Peek => _tokens[_next];

    private Token Take() => _tokens[_next++];

    private InputException Expected(string what)
    {
        var found = Peek.Kind == Kind.End ? "the end of the formula" : $"'{Peek.Text}'";
        return new InputException($"formula '{_text}', column {Peek.Column}: expected {what}, found {found}");
    }

    private static List<Token> Tokenize(string text)
    {
        var tokens = new List<Token>();
        var i = 0;
        while (i < text.Length)
        {
            var c = text[i];
            if (char.IsWhiteSpace(c))
            {
                i++;
            }
            else if (char.IsLetter(c) || c == '.' && !(i + 1 < text.Length && char.IsAsciiDigit(text[i + 1])))
            {
                var start = i;
                while (i < text.Length && (char.IsLetterOrDigit(text[i]) || text[i] is '.' or '_'))
                {
                    i++;
                }
                tokens.Add(new Token(Kind.Name, text[start..i], start + 1));
            }
            else if (c == '`')
            {
                var start = i;
                var end = text.IndexOf('`', i + 1);
                if (end < 0)
                {
                    throw new InputException($"formula '{text}', column {start + 1}: expected a closing '`' for the quoted name");
                }
                tokens.Add(new Token(Kind.Name, text[(start + 1)..end], start + 1));
                i = end + 1;
            }
            else if (char.IsAsciiDigit(c) || c == '.')
            {
                var start = i;
                while (i < text.Length && (char.IsAsciiDigit(text[i]) || text[i] == '.'))
                {
                    i++;
                }
                if (!double.TryParse(text[start..i], NumberStyles.Float, CultureInfo.InvariantCulture, out _))
                {
                    throw new InputException($"formula '{text}', column {start + 1}: expected a number, found '{text[start..i]}'");
                }
                tokens.Add(new Token(Kind.Number, text[start..i], start + 1));
            }
            else if (c == '|' && i + 1 < text.Length && text[i + 1] == '|')
            {
                tokens.Add(new Token(Kind.Symbol, "||", i + 1));
                i += 2;
            }
            else if ("~+-*/:^()|".Contains(c, StringComparison.Ordinal))
            {
                tokens.Add(new Token(Kind.Symbol, c.ToString(), i + 1));
                i++;
            }
            else
            {
                throw new InputException($"formula '{text}', column {i + 1}: unexpected character '{c}' (expected a column name, a number or one of ~ + - * / : ^ ( ) |)");
            }
        }
        tokens.Add(new Token(Kind.End, "", text.Length + 1));
        return tokens;
    }

    /// <summary>Variable indices in order of first appearance.</summary>
    private sealed class Registry
    {
        private readonly Dictionary<string, int> _index = new(StringComparer.Ordinal);

        public List<string> Names { get; } = [];

        public int Index(string name)
        {
            if (!_index.TryGetValue(name, out var i))
            {
                i = Names.Count;
                _index[name] = i;
                Names.Add(name);
            }
            return i;
        }
    }
}
