"""policy-kb engine: case file -> validation -> solve -> determinations -> output.

Modules, in the order data flows through them:
  vocabulary     the case vocabulary as data
  case           read and validate an untrusted case file
  knowledge_base locate the .lp files of the knowledge base
  solve          one clingo run over the knowledge base and a case
  completion     which undocumented items could make a level medically necessary
  determination  statuses, deciding criteria and citations, as typed values
  query          the whole pipeline behind `kb query`
  render         determinations as text or JSON

Consistency checks (`kb check`):
  witness        minimal witness cases searched in kb/case_space.lp
  checks         conflicts, gaps, dead rules, differences, the matrix
  check_report   the consistency report as text or JSON
"""
