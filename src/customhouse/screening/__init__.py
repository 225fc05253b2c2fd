"""Screening: parties against sanctions and denied-party lists, goods against prohibitions.

Public entry points (pure unless stated):

- :func:`customhouse.screening.loaders.load_list` (kind, path) -> SanctionsList
- :func:`customhouse.screening.models.diff_lists` (old, new) -> ListDiff
- :class:`customhouse.screening.engine.ScreeningIndex` (lists) and
  :func:`customhouse.screening.engine.screen_party` (index, party, threshold) -> PartyScreening
- :func:`customhouse.screening.matching.compare_names` (a, b) -> NameScore (score + features)
- :func:`customhouse.screening.goods.screen_goods` (items, controls, at=...) -> [GoodsScreening]
- :mod:`customhouse.screening.repository` (takes a Session): save_list, load_lists,
  record_judgement, latest_verdict, unjudged_hits
"""
