-- everything
SELECT accounts."ID" AS c0, accounts.assigneduser AS c1, accounts.contact AS c2, accounts.creationdate AS c3, accounts.creator AS c4, accounts.currency AS c5, accounts.customernum AS c6, accounts.description AS c7, accounts.excludetax AS c8, accounts.firstname AS c9, accounts.lastmodified AS c10, accounts.lastname AS c11, accounts.locked AS c12, accounts.ownergroup AS c13, accounts.paymentterms AS c14, accounts.email AS c15, accounts.phone AS c16, accounts.suppliernum AS c17, accounts.taxid AS c18, accounts.type AS c19, accounts.visibility AS c20, accounts.website AS c21 
FROM accounts ORDER BY accounts."ID" ASC 
 LIMIT $1 OFFSET $2;
-- parameters: [('limit', 1000), ('offset', 0)]

-- count
SELECT count(*) AS count_1 
FROM accounts;
-- parameters: []

-- seed example
SELECT accounts."ID" AS c0, accounts.lastname AS c1, x0.textvalue AS c2, x0.numvalue AS c2n, j_contact.city AS c3, j_assigneduser.name AS c4 
FROM accounts LEFT OUTER JOIN users AS j_assigneduser ON j_assigneduser."ID" = accounts.assigneduser LEFT OUTER JOIN contacts AS j_contact ON j_contact."ID" = accounts.contact LEFT OUTER JOIN accounts_extdata AS x0 ON x0.record = accounts."ID" AND x0.name = $1::VARCHAR 
WHERE accounts.visibility = $2::SMALLINT AND j_contact.country IN ($3, $4, $5) AND (accounts.lastmodified > $6::BIGINT OR j_contact.lastmodified > $7::BIGINT) ORDER BY accounts.lastname ASC NULLS LAST, j_contact.country DESC NULLS FIRST, accounts."ID" ASC 
 LIMIT $8 OFFSET $9;
-- parameters: [('x0', 'nickname'), ('p0', 0), ('p1_0', 'DE'), ('p1_1', 'AT'), ('p1_2', 'GB'), ('p2', 1524472045), ('p3', 1524472045), ('limit', 3), ('offset', 0)]

-- seed example as a member
SELECT accounts.lastname AS c0, j_contact.city AS c1, j_assigneduser.name AS c2 
FROM accounts LEFT OUTER JOIN users AS j_assigneduser ON j_assigneduser."ID" = accounts.assigneduser LEFT OUTER JOIN contacts AS j_contact ON j_contact."ID" = accounts.contact AND (j_contact.ownergroup IN (SELECT groups2users."group" 
FROM groups2users JOIN groups ON groups."ID" = groups2users."group" 
WHERE groups2users."user" = $1::INTEGER AND groups.activity = $2::SMALLINT) OR j_contact.owneruser = $1::INTEGER OR j_contact.ownergroup IS NULL AND j_contact.owneruser IS NULL) 
WHERE (accounts.ownergroup IN (SELECT groups2users."group" 
FROM groups2users JOIN groups ON groups."ID" = groups2users."group" 
WHERE groups2users."user" = $1::INTEGER AND groups.activity = $3::SMALLINT) OR accounts.ownergroup IS NULL) AND j_contact.country IN ($4, $5) ORDER BY j_contact.country DESC NULLS FIRST, accounts."ID" ASC 
 LIMIT $6 OFFSET $7;
-- parameters: [('caller', 7), ('activity_1', 0), ('activity_2', 0), ('p0_0', 'DE'), ('p0_1', 'AT'), ('limit', 1000), ('offset', 0)]

-- count with a joined filter
SELECT count(*) AS count_1 
FROM accounts JOIN contacts AS j_contact ON j_contact."ID" = accounts.contact AND (j_contact.ownergroup IN (SELECT groups2users."group" 
FROM groups2users JOIN groups ON groups."ID" = groups2users."group" 
WHERE groups2users."user" = $1::INTEGER AND groups.activity = $2::SMALLINT) OR j_contact.owneruser = $1::INTEGER OR j_contact.ownergroup IS NULL AND j_contact.owneruser IS NULL) 
WHERE (accounts.ownergroup IN (SELECT groups2users."group" 
FROM groups2users JOIN groups ON groups."ID" = groups2users."group" 
WHERE groups2users."user" = $1::INTEGER AND groups.activity = $3::SMALLINT) OR accounts.ownergroup IS NULL) AND j_contact.country = $4::VARCHAR;
-- parameters: [('caller', 7), ('activity_1', 0), ('activity_2', 0), ('p0', 'DE')]

-- every operator
SELECT contacts."ID" AS c0 
FROM contacts 
WHERE contacts.lastname = $1::VARCHAR AND contacts.lastname != $2::VARCHAR AND contacts.lastname != $3::VARCHAR AND contacts.lastname < $4::VARCHAR AND contacts.lastname <= $5::VARCHAR AND contacts.lastname > $6::VARCHAR AND contacts.lastname >= $7::VARCHAR AND contacts.lastname IN ($8, $9) AND (contacts.lastname NOT IN ($10)) AND contacts.lastname ~ $11::VARCHAR AND contacts.lastname ~ $12::VARCHAR AND contacts.lastname !~ $13::VARCHAR AND contacts.lastname !~ $14::VARCHAR AND contacts.lastname LIKE $15::VARCHAR ESCAPE '\' AND lower(contacts.lastname) LIKE lower($16) ESCAPE '\' AND contacts.lastname NOT LIKE $17::VARCHAR ESCAPE '\' AND lower(contacts.lastname) NOT LIKE lower($18) ESCAPE '\' ORDER BY contacts."ID" ASC 
 LIMIT $19 OFFSET $20;
-- parameters: [('p0', 'a'), ('p1', 'b'), ('p2', 'c'), ('p3', 'd'), ('p4', 'e'), ('p5', 'f'), ('p6', 'g'), ('p7_0', 'h'), ('p7_1', 'i'), ('p8_0', 'j'), ('p9', '(?s)^k'), ('p10', '(?is)l'), ('p11', '(?s)m'), ('p12', '(?is)n'), ('p13', 'o%'), ('p14', 'p_'), ('p15', 'q'), ('p16', 'r'), ('limit', 1000), ('offset', 0)]

-- nulls and empty lists
SELECT accounts."ID" AS c0 
FROM accounts 
WHERE false ORDER BY accounts."ID" ASC 
 LIMIT $1 OFFSET $2;
-- parameters: [('limit', 1000), ('offset', 0)]

-- groups
SELECT accounts."ID" AS c0 
FROM accounts 
WHERE NOT (accounts.visibility = $1::SMALLINT AND (accounts.type = $2::SMALLINT OR accounts.type = $3::SMALLINT)) ORDER BY accounts."ID" ASC 
 LIMIT $4 OFFSET $5;
-- parameters: [('p0', 1), ('p1', 1), ('p2', 2), ('limit', 1000), ('offset', 0)]

-- custom fields
SELECT x1.textvalue AS c0, x1.numvalue AS c0n 
FROM accounts LEFT OUTER JOIN accounts_extdata AS x0 ON x0.record = accounts."ID" AND x0.name = $1::VARCHAR LEFT OUTER JOIN accounts_extdata AS x1 ON x1.record = accounts."ID" AND x1.name = $2::VARCHAR 
WHERE x1.numvalue > $3::FLOAT AND (x1.numvalue IN ($4) OR x1.textvalue IN ($5)) AND x0.textvalue IS NULL AND x0.numvalue IS NULL ORDER BY x1.numvalue DESC NULLS FIRST, x1.textvalue DESC NULLS FIRST, accounts."ID" ASC 
 LIMIT $6 OFFSET $7;
-- parameters: [('x0', 'code'), ('x1', 'level'), ('p0', 2.0), ('p1_0', 1.0), ('p1_1', 'one'), ('limit', 1000), ('offset', 0)]

-- search
SELECT accounts."ID" AS c0 
FROM accounts 
WHERE (lower(accounts.customernum) LIKE $1::VARCHAR ESCAPE '\' OR lower(accounts.firstname) LIKE $1::VARCHAR ESCAPE '\' OR lower(accounts.lastname) LIKE $1::VARCHAR ESCAPE '\' OR lower(accounts.suppliernum) LIKE $1::VARCHAR ESCAPE '\') AND (lower(accounts.customernum) LIKE $2::VARCHAR ESCAPE '\' OR lower(accounts.firstname) LIKE $2::VARCHAR ESCAPE '\' OR lower(accounts.lastname) LIKE $2::VARCHAR ESCAPE '\' OR lower(accounts.suppliernum) LIKE $2::VARCHAR ESCAPE '\') ORDER BY accounts."ID" ASC 
 LIMIT $3 OFFSET $4;
-- parameters: [('s0', '%dupont%'), ('s1', '%50\\%%'), ('limit', 1000), ('offset', 0)]

-- distinct
SELECT DISTINCT contacts.country AS c0, contacts.city AS c1 
FROM contacts ORDER BY contacts.country DESC NULLS FIRST, contacts.country ASC NULLS LAST, contacts.city ASC NULLS LAST 
 LIMIT $1 OFFSET $2;
-- parameters: [('limit', 1000), ('offset', 0)]

-- export
SELECT accounts."ID" AS c0, accounts.lastname AS c1 
FROM accounts ORDER BY accounts."ID" ASC
 LIMIT ALL OFFSET $1;
-- parameters: [('offset', 10)]
