-- Invalid periods into the quarantine; signs and usual names are personal for a withheld (P) establishment:
-- masked even there.
INSERT INTO quarantine.sirene
SELECT $run_id, $month, $entity, split_part(rule, ':', 1), nullif(trim(siret), ''), nullif(split_part(rule, ':', 2), ''),
       to_json(CASE WHEN statut_diffusion = 'P'
                    THEN struct_pack(siret, dateDebut, dateFin, etatAdministratifEtablissement,
                                     activitePrincipaleEtablissement,
                                     nomenclatureActivitePrincipaleEtablissement,
                                     enseigne1Etablissement := '[ND]', enseigne2Etablissement := '[ND]',
                                     enseigne3Etablissement := '[ND]',
                                     denominationUsuelleEtablissement := '[ND]')
                    ELSE struct_pack(siret, dateDebut, dateFin, etatAdministratifEtablissement,
                                     activitePrincipaleEtablissement,
                                     nomenclatureActivitePrincipaleEtablissement, enseigne1Etablissement,
                                     enseigne2Etablissement, enseigne3Etablissement,
                                     denominationUsuelleEtablissement) END)
FROM hist_checked WHERE rule IS NOT NULL;
