-- everything
SELECT accounts."ID" AS c0, accounts.assigneduser AS c1, accounts.contact AS c2, accounts.creationdate AS c3, accounts.creator AS c4, accounts.currency AS c5, accounts.customernum AS c6, accounts.description AS c7, accounts.excludetax AS c8, accounts.firstname AS c9, accounts.lastmodified AS c10, accounts.lastname AS c11, accounts.locked AS c12, accounts.ownergroup AS c13, accounts.paymentterms AS c14, accounts.email AS c15, accounts.phone AS c16, accounts.suppliernum AS c17, accounts.taxid AS c18, accounts.type AS c19, accounts.visibility AS c20, accounts.website AS c21 
FROM accounts ORDER BY accounts."ID" ASC
 LIMIT ? OFFSET ?;
-- parameters: [('limit', 1000), ('offset', 0)]

-- count
SELECT count(*) AS count_1 
FROM accounts;
-- parameters: []

-- seed example
SELECT accounts."ID" AS c0, accounts.lastname AS c1, x0.textvalue AS c2, x0.numvalue AS c2n, j_contact.city AS c3, j_assigneduser.name AS c4 
FROM accounts LEFT OUTER JOIN users AS j_assigneduser ON j_assigneduser."ID" = accounts.assigneduser LEFT OUTER JOIN contacts AS j_contact ON j_contact."ID" = accounts.contact LEFT OUTER JOIN accounts_extdata AS x0 ON x0.record = accounts."ID" AND x0.name = ? 
WHERE accounts.visibility = ? AND j_contact.country IN (?, ?, ?) AND (accounts.lastmodified > ? OR j_contact.lastmodified > ?) ORDER BY accounts.lastname ASC NULLS LAST, j_contact.country DESC NULLS FIRST, accounts."ID" ASC
 LIMIT ? OFFSET ?;
-- parameters: [('x0', 'nickname'), ('p0', 0), ('p1_0', 'DE'), ('p1_1', 'AT'), ('p1_2', 'GB'), ('p2', 1524472045), ('p3', 1524472045), ('limit', 3), ('offset', 0)]

-- seed example as a member
SELECT accounts.lastname AS c0, j_contact.city AS c1, j_assigneduser.name AS c2 
FROM accounts LEFT OUTER JOIN users AS j_assigneduser ON j_assigneduser."ID" = accounts.assigneduser LEFT OUTER JOIN contacts AS j_contact ON j_contact."ID" = accounts.contact AND (j_contact.ownergroup IN (SELECT groups2users."group" 
FROM groups2users JOIN groups ON groups."ID" = groups2users."group" 
WHERE groups2users.user = ? AND groups.activity = ?) OR j_contact.owneruser = ? OR j_contact.ownergroup IS NULL AND j_contact.owneruser IS NULL) 
WHERE (accounts.ownergroup IN (SELECT groups2users."group" 
FROM groups2users JOIN groups ON groups."ID" = groups2users."group" 
WHERE groups2users.user = ? AND groups.activity = ?) OR accounts.ownergroup IS NULL) AND j_contact.country IN (?, ?) ORDER BY j_contact.country DESC NULLS FIRST, accounts."ID" ASC
 LIMIT ? OFFSET ?;
-- parameters: [('caller', 7), ('activity_1', 0), ('caller', 7), ('caller', 7), ('activity_2', 0), ('p0_0', 'DE'), ('p0_1', 'AT'), ('limit', 1000), ('offset', 0)]

-- count with a joined filter
SELECT count(*) AS count_1 
FROM accounts JOIN contacts AS j_contact ON j_contact."ID" = accounts.contact AND (j_contact.ownergroup IN (SELECT groups2users."group" 
FROM groups2users JOIN groups ON groups."ID" = groups2users."group" 
WHERE groups2users.user = ? AND groups.activity = ?) OR j_contact.owneruser = ? OR j_contact.ownergroup IS NULL AND j_contact.owneruser IS NULL) 
WHERE (accounts.ownergroup IN (SELECT groups2users."group" 
FROM groups2users JOIN groups ON groups."ID" = groups2users."group" 
WHERE groups2users.user = ? AND groups.activity = ?) OR accounts.ownergroup IS NULL) AND j_contact.country = ?;
-- parameters: [('caller', 7), ('activity_1', 0), ('caller', 7), ('caller', 7), ('activity_2', 0), ('p0', 'DE')]

-- every operator
SELECT contacts."ID" AS c0 
FROM contacts 
WHERE contacts.lastname = ? AND contacts.lastname != ? AND contacts.lastname != ? AND contacts.lastname < ? AND contacts.lastname <= ? AND contacts.lastname > ? AND contacts.lastname >= ? AND contacts.lastname IN (?, ?) AND (contacts.lastname NOT IN (?)) AND contacts.lastname REGEXP ? AND contacts.lastname REGEXP ? AND contacts.lastname NOT REGEXP ? AND contacts.lastname NOT REGEXP ? AND contacts.lastname LIKE ? ESCAPE '\' AND unicode_lower(contacts.lastname) LIKE unicode_lower(?) ESCAPE '\' AND contacts.lastname NOT LIKE ? ESCAPE '\' AND unicode_lower(contacts.lastname) NOT LIKE unicode_lower(?) ESCAPE '\' ORDER BY contacts."ID" ASC
 LIMIT ? OFFSET ?;
-- parameters: [('p0', 'a'), ('p1', 'b'), ('p2', 'c'), ('p3', 'd'), ('p4', 'e'), ('p5', 'f'), ('p6', 'g'), ('p7_0', 'h'), ('p7_1', 'i'), ('p8_0', 'j'), ('p9', '(?s)^k'), ('p10', '(?is)l'), ('p11', '(?s)m'), ('p12', '(?is)n'), ('p13', 'o%'), ('p14', 'p_'), ('p15', 'q'), ('p16', 'r'), ('limit', 1000), ('offset', 0)]

-- nulls and empty lists
SELECT accounts."ID" AS c0 
FROM accounts 
WHERE 0 = 1 ORDER BY accounts."ID" ASC
 LIMIT ? OFFSET ?;
-- parameters: [('limit', 1000), ('offset', 0)]

-- groups
SELECT accounts."ID" AS c0 
FROM accounts 
WHERE NOT (accounts.visibility = ? AND (accounts.type = ? OR accounts.type = ?)) ORDER BY accounts."ID" ASC
 LIMIT ? OFFSET ?;
-- parameters: [('p0', 1), ('p1', 1), ('p2', 2), ('limit', 1000), ('offset', 0)]

-- custom fields
SELECT x1.textvalue AS c0, x1.numvalue AS c0n 
FROM accounts LEFT OUTER JOIN accounts_extdata AS x0 ON x0.record = accounts."ID" AND x0.name = ? LEFT OUTER JOIN accounts_extdata AS x1 ON x1.record = accounts."ID" AND x1.name = ? 
WHERE x1.numvalue > ? AND (x1.numvalue IN (?) OR x1.textvalue IN (?)) AND x0.textvalue IS NULL AND x0.numvalue IS NULL ORDER BY x1.numvalue DESC NULLS FIRST, x1.textvalue DESC NULLS FIRST, accounts."ID" ASC
 LIMIT ? OFFSET ?;
-- parameters: [('x0', 'code'), ('x1', 'level'), ('p0', 2.0), ('p1_0', 1.0), ('p1_1', 'one'), ('limit', 1000), ('offset', 0)]

-- search
SELECT accounts."ID" AS c0 
FROM accounts 
WHERE (unicode_lower(accounts.customernum) LIKE ? ESCAPE '\' OR unicode_lower(accounts.firstname) LIKE ? ESCAPE '\' OR unicode_lower(accounts.lastname) LIKE ? ESCAPE '\' OR unicode_lower(accounts.suppliernum) LIKE ? ESCAPE '\') AND (unicode_lower(accounts.customernum) LIKE ? ESCAPE '\' OR unicode_lower(accounts.firstname) LIKE ? ESCAPE '\' OR unicode_lower(accounts.lastname) LIKE ? ESCAPE '\' OR unicode_lower(accounts.suppliernum) LIKE ? ESCAPE '\') ORDER BY accounts."ID" ASC
 LIMIT ? OFFSET ?;
-- parameters: [('s0', '%dupont%'), ('s0', '%dupont%'), ('s0', '%dupont%'), ('s0', '%dupont%'), ('s1', '%50\\%%'), ('s1', '%50\\%%'), ('s1', '%50\\%%'), ('s1', '%50\\%%'), ('limit', 1000), ('offset', 0)]

-- distinct
SELECT DISTINCT contacts.country AS c0, contacts.city AS c1 
FROM contacts ORDER BY contacts.country DESC NULLS FIRST, contacts.country ASC NULLS LAST, contacts.city ASC NULLS LAST
 LIMIT ? OFFSET ?;
-- parameters: [('limit', 1000), ('offset', 0)]

-- export
SELECT accounts."ID" AS c0, accounts.lastname AS c1 
FROM accounts ORDER BY accounts."ID" ASC
 LIMIT ? OFFSET ?;
-- parameters: [('param_1', -1), ('offset', 10)]
