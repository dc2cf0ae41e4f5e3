using CultureProbe.Surveys;
using Shouldly;

namespace CultureProbe.Tests.Surveys;

public sealed class QuestionBankValidationTests
{
    private const string Header = """
        version: 1
        categories:
          - { id: social-values, title: "Social values", first: 1, last: 45, paperCount: 44 }
          - { id: economic, title: "Economic", first: 106, last: 111 }
          - { id: ethics, title: "Ethics", first: 176, last: 198, paperCount: 22 }
        scales:
          agree4:
            ordinal: true
            direction: descending
            options:
              - { code: 1, label: "Strongly agree" }
              - { code: 2, label: "Agree" }
              - { code: 3, label: "Disagree" }
              - { code: 4, label: "Strongly disagree" }
        """;

    private static QuestionBank Parse(string items) => QuestionBankLoader.Parse(Header + "\nitems:\n" + items, "test.yaml");

    private static string ErrorOf(string items) => Should.Throw<InputException>(() => Parse(items)).Message;

    [Fact]
    public void Descending_scale_gets_evenly_spaced_scores_with_code_1_at_the_high_pole()
    {
        var bank = Parse("""
              - { code: Q1, category: social-values, text: "Agree?", scale: agree4 }
            """);
        var scores = bank.Get("Q1").Options.Select(o => o.Score!.Value).ToArray();
        // Independent derivation: 4 options over [-1, 1] are -1, -1/3, 1/3, 1; code 1 is "strongly agree" = high pole.
        scores.ShouldBe([1.0, 1.0 / 3, -1.0 / 3, -1.0], tolerance: 1e-15);
    }

    [Fact]
    public void Custom_ranks_place_an_out_of_order_code_in_the_middle()
    {
        var bank = Parse("""
              - code: Q2
                category: social-values
                text: "Better or worse?"
                direction: custom
                options:
                  - { code: 1, label: "Better", rank: 2 }
                  - { code: 2, label: "Worse", rank: 0 }
                  - { code: 3, label: "Same", rank: 1 }
            """);
        bank.Get("Q2").Options.Select(o => o.Score).ShouldBe([1.0, -1.0, 0.0]);
    }

    [Fact]
    public void Scale_starting_at_zero_is_accepted()
    {
        var bank = Parse("""
              - code: Q3
                category: social-values
                text: "Agree?"
                direction: ascending
                options:
                  - { code: 0, label: "Disagree" }
                  - { code: 1, label: "Hard to say" }
                  - { code: 2, label: "Agree" }
            """);
        bank.Get("Q3").Options.Select(o => (o.Code, o.Score)).ShouldBe([(0, -1.0), (1, 0.0), (2, 1.0)]);
    }

    [Fact]
    public void Nominal_item_has_no_scores() =>
        Parse("""
              - code: Q4
                category: social-values
                text: "Which first?"
                ordinal: false
                options:
                  - { code: 1, label: "A" }
                  - { code: 2, label: "B" }
            """).Get("Q4").Options.ShouldAllBe(o => o.Score == null && o.Rank == null);

    [Fact]
    public void Duplicate_item_code_is_rejected() =>
        ErrorOf("""
              - { code: Q1, category: social-values, text: "A?", scale: agree4 }
              - { code: Q1, category: social-values, text: "B?", scale: agree4 }
            """).ShouldContain("item Q1.code: 'Q1' appears more than once");

    [Fact]
    public void Item_with_one_option_is_rejected() =>
        ErrorOf("""
              - code: Q5
                category: social-values
                text: "Only one?"
                direction: ascending
                options:
                  - { code: 1, label: "Yes" }
            """).ShouldContain("item Q5.options: expected at least 2 options, found 1");

    [Fact]
    public void Duplicate_option_code_is_rejected() =>
        ErrorOf("""
              - code: Q6
                category: social-values
                text: "Twice?"
                direction: ascending
                options:
                  - { code: 1, label: "No" }
                  - { code: 1, label: "Yes" }
            """).ShouldContain("item Q6.options[1].code: code 1 appears more than once");

    [Fact]
    public void Rank_contradicting_the_direction_is_rejected() =>
        ErrorOf("""
              - code: Q7
                category: social-values
                text: "Contradiction?"
                direction: ascending
                options:
                  - { code: 1, label: "No", rank: 1 }
                  - { code: 2, label: "Yes", rank: 0 }
            """).ShouldContain("item Q7.options[0].rank: 1 contradicts direction ascending (expected 0)");

    [Fact]
    public void Custom_ranks_that_are_not_a_permutation_are_rejected() =>
        ErrorOf("""
              - code: Q8
                category: social-values
                text: "Gaps?"
                direction: custom
                options:
                  - { code: 1, label: "No", rank: 0 }
                  - { code: 2, label: "Yes", rank: 2 }
            """).ShouldContain("ranks must be a permutation of 0..1");

    [Fact]
    public void Nominal_item_with_a_rank_is_rejected() =>
        ErrorOf("""
              - code: Q9
                category: social-values
                text: "Nominal?"
                ordinal: false
                options:
                  - { code: 1, label: "A", rank: 0 }
                  - { code: 2, label: "B" }
            """).ShouldContain("a nominal scale's options carry no rank");

    [Fact]
    public void Ordinal_item_without_a_direction_is_rejected() =>
        ErrorOf("""
              - code: Q10
                category: social-values
                text: "Which way?"
                options:
                  - { code: 1, label: "A" }
                  - { code: 2, label: "B" }
            """).ShouldContain("item Q10.direction: expected ascending, descending or custom");

    [Fact]
    public void Negative_option_code_is_rejected() =>
        ErrorOf("""
              - code: Q11
                category: social-values
                text: "Missing?"
                direction: ascending
                options:
                  - { code: -1, label: "Don't know" }
                  - { code: 1, label: "Yes" }
            """).ShouldContain("negative codes are missing values");

    [Fact]
    public void Item_outside_its_category_range_is_rejected() =>
        ErrorOf("""
              - { code: Q177, category: social-values, text: "Misfiled?", scale: agree4 }
            """).ShouldContain("item Q177.category: Q177 lies outside 'social-values' (1-45)");

    [Fact]
    public void Unknown_category_and_unknown_scale_are_rejected()
    {
        var message = ErrorOf("""
              - { code: Q12, category: nowhere, text: "Lost?", scale: agree4 }
              - { code: Q13, category: social-values, text: "Lost?", scale: agree9 }
            """);
        message.ShouldContain("item Q12.category: unknown category 'nowhere'");
        message.ShouldContain("item Q13.scale: unknown scale 'agree9'");
    }

    [Fact]
    public void Malformed_code_and_missing_text_are_rejected()
    {
        var message = ErrorOf("""
              - { code: "12 x", category: social-values, text: "Code?", scale: agree4 }
              - { code: Q14, category: social-values, scale: agree4 }
            """);
        message.ShouldContain("expected the variable's code (letters, digits, '_' or '.', e.g. Q177 or ppltrst), found '12 x'");
        message.ShouldContain("item Q14.text: expected the question text");
    }

    [Fact]
    public void Collapse_that_does_not_cover_every_code_is_rejected() =>
        ErrorOf(TenPoint("Q177", "[[1,2,3],[4,5,6,7],[8,9]]")).ShouldContain("the groups must cover every option code exactly once");

    [Fact]
    public void Collapse_with_non_contiguous_groups_is_rejected() =>
        ErrorOf(TenPoint("Q178", "[[1,2,8],[4,5,6,7],[3,9,10]]")).ShouldContain("is not the next contiguous run");

    [Fact]
    public void Collapse_on_a_short_scale_is_rejected() =>
        ErrorOf("""
              - code: Q15
                category: social-values
                text: "Short?"
                direction: ascending
                options:
                  - { code: 1, label: "A" }
                  - { code: 2, label: "B" }
                collapses:
                  - size: 2
                    groups:
                      - { label: "A", codes: [1] }
                      - { label: "B", codes: [2] }
            """).ShouldContain("collapses are only defined for 10-point ordinal scales");

    [Fact]
    public void Valid_collapse_is_kept_in_low_to_high_order()
    {
        var bank = Parse(TenPoint("Q179", "[[1,2,3],[4,5,6,7],[8,9,10]]"));
        var collapse = bank.Get("Q179").Collapses.ShouldHaveSingleItem();
        collapse.Size.ShouldBe(3);
        collapse.Groups.Select(g => g.Codes.Count).ShouldBe([3, 4, 3]);
    }

    [Fact]
    public void Yaml_syntax_error_names_the_line()
    {
        var error = Should.Throw<InputException>(() => QuestionBankLoader.Parse("version: 1\nitems:\n  - { code: Q1, text: \"unterminated\n", "broken.yaml"));
        error.Message.ShouldStartWith("broken.yaml:");
    }

    [Fact]
    public void Unknown_field_is_rejected_with_its_position()
    {
        var error = Should.Throw<InputException>(() => Parse("""
              - { code: Q1, category: social-values, txet: "typo", scale: agree4 }
            """));
        error.Message.ShouldStartWith("test.yaml:");
        error.Message.ShouldContain("txet");
    }

    private const string SourcedHeader = """
        version: 3
        survey: { id: toy, name: "Toy survey", labelSource: "Toy codebook, release 2.1" }
        categories:
          - { id: social-values, title: "Social values", first: 1, last: 45 }
        scales:
          agree4:
            ordinal: true
            direction: descending
            options:
              - { code: 1, label: "Strongly agree" }
              - { code: 2, label: "Agree", note: "Scale note." }
              - { code: 3, label: "Disagree" }
              - { code: 4, label: "Strongly disagree" }
            otherCodes:
              - { code: 8, label: "Not asked", note: "Other-code note." }
        items:
        """;

    private static string SourcedErrorOf(string survey, string items) =>
        Should.Throw<InputException>(() => QuestionBankLoader.Parse(SourcedHeader.Replace("labelSource: \"Toy codebook, release 2.1\"", survey, StringComparison.Ordinal) + "\n" + items, "test.yaml")).Message;

    [Fact]
    public void Label_source_and_notes_load_from_the_survey_the_options_and_the_item()
    {
        var bank = QuestionBankLoader.Parse(SourcedHeader + """

              - code: Q1
                category: social-values
                text: "Agree?"
                scale: agree4
                labelNotes: { 2: "Item note.", 4: "Only here.", 8: "About the other code." }
              - code: Q2
                category: social-values
                text: "Agree too?"
                scale: agree4
              - code: Q3
                category: social-values
                text: "Which?"
                ordinal: false
                options:
                  - { code: 1, label: "One", note: "Inline note." }
                  - { code: 2, label: "Two" }
            """, "test.yaml");

        bank.Survey.LabelSource.ShouldBe("Toy codebook, release 2.1");
        bank.Get("Q1").Options.Select(o => o.Note).ShouldBe([null, "Scale note. Item note.", null, "Only here."]);
        bank.Get("Q1").OtherCodes.Single().Note.ShouldBe("Other-code note. About the other code.");
        bank.Get("Q2").Options.Select(o => o.Note).ShouldBe([null, "Scale note.", null, null]);
        bank.Get("Q3").Options.Select(o => o.Note).ShouldBe(["Inline note.", null]);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void A_bank_of_an_older_version_without_source_fields_still_loads(int version)
    {
        var bank = QuestionBankLoader.Parse(Header.Replace("version: 1", $"version: {version}", StringComparison.Ordinal) + """

            items:
              - { code: Q1, category: social-values, text: "Agree?", scale: agree4 }
            """, "old.yaml");
        bank.Survey.LabelSource.ShouldBeNull();
        bank.Get("Q1").Options.ShouldAllBe(o => o.Note == null);
    }

    [Fact]
    public void A_bank_newer_than_the_program_is_refused_naming_the_version() =>
        Should.Throw<InputException>(() => QuestionBankLoader.Parse(Header.Replace("version: 1", "version: 4", StringComparison.Ordinal), "new.yaml"))
            .Message.ShouldContain("version: 4 is newer than this program reads (up to 3)");

    [Fact]
    public void Empty_source_fields_are_refused_naming_item_and_field()
    {
        var message = SourcedErrorOf("labelSource: \"  \"", """
              - code: Q1
                category: social-values
                text: "Agree?"
                scale: agree4
                labelNotes: { 3: "", 7: "No such code." }
              - code: Q3
                category: social-values
                text: "Which?"
                ordinal: false
                options:
                  - { code: 1, label: "One", note: " " }
                  - { code: 2, label: "Two" }
            """);
        message.ShouldContain("survey.labelSource: expected the reference the labels follow");
        message.ShouldContain("item Q1.labelNotes.3: expected the reason the label reads as it does");
        message.ShouldContain("item Q1.labelNotes.7: 7 is not one of the item's answer codes (1, 2, 3, 4, 8)");
        message.ShouldContain("item Q3.options[0].note: expected the reason the label reads as it does");
        message.ShouldStartWith("test.yaml: the question bank is invalid (4 problems)");
    }

    private static string TenPoint(string code, string groups)
    {
        var codeGroups = groups.Trim('[', ']').Split("],[");
        var groupLines = string.Join("\n", codeGroups.Select((g, i) => $"              - {{ label: \"G{i}\", codes: [{g}] }}"));
        var optionLines = string.Join("\n", Enumerable.Range(1, 10).Select(c => $"          - {{ code: {c}, label: \"{c}\" }}"));
        return $"""
              - code: {code}
                category: ethics
                text: "Justifiable?"
                direction: ascending
                options:
            {optionLines.Replace("          ", "          ", StringComparison.Ordinal)}
                collapses:
                  - size: {codeGroups.Length}
                    groups:
            {groupLines}
            """;
    }
}
