"""Customs valuation (WTO Valuation Agreement): transaction value, Article 8, conversion."""
