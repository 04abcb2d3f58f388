"""Audiences: influence within an audience, who influences whom, and audience quality.

- `spec`, `community`: naming an audience (a file of accounts or people, a
  topic's community, a network) and resolving it to accounts;
- `targeted`, `evidence`: scores personalised to an audience and their
  explanation (DESIGN.md property 7);
- `influence`: influencers and influencees of a person, with the reactions behind;
- `fences`, `behaviour`, `automation`, `pods`, `quality`: which reactors look
  automated or indiscriminate, which accounts form engagement pods, and what
  share of a person's audience that is.

See docs/audience.md.
"""
