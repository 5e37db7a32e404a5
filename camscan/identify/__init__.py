"""Who made a device and what it is: the OUI lookup (`oui`), the signature engine over the data
in `signatures/` (`signatures`), vendors' device-type words (`device_classes`) and the fusion of
evidence into inventory rows (`fusion`: `grouping`, then `resolve` in steps, weighing with the
data `policy` reads from signatures/fusion.toml).

Knowledge lives in the TOML files, not here: see signatures/README.md to add a brand, a model
pattern or a banner.
"""
