"""policy-kb engine: case file -> validation -> solve -> determinations -> output.

Modules, in the order data flows through them:
  vocabulary     the case vocabulary as data
  case_source    the bytes of a case: regular files only, bounded, never blocking
  case_reader    the case language: tokenizer and parser, no clingo involved
  case           read and validate an untrusted case file
  knowledge_base locate the .lp files of the knowledge base
  solve          one clingo run over the knowledge base and a case
  determination  statuses, deciding criteria and citations, as typed values
  completion     which undocumented items could make a level medically necessary
  query          the whole pipeline behind `kb query`
  whatif         the same with facts added or removed
  render         determinations as text or JSON

The knowledge base read as rules (for explanations, diagrams and checks):
  rules          every labelled rule: id, criterion, body, file:line
  rule_reader    the one reader of rules: clingo's AST into plain Python values
  interpretations the one reader of `% Interpretation:` notes

Built on those:
  explanation/   why and why not (`kb query --explain`, `kb explain`)
  diagrams/      criteria diagrams (`kb diagram`, `kb query --diagram`)
  checks/        consistency checks with witness cases (`kb check`)

Shared: errors (domain exceptions), nearest (the nearest valid name).
"""
