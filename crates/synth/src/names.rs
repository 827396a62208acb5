//! Word lists for plausible names: people, departments, teams, partner
//! organisations, environments and Azure regions.
//!
//! Names are only there to make the tenant look like a real one in answers and
//! review sheets; uniqueness (user principal names, workspace names) is ensured by
//! the generators, not by these lists. A few names carry accents so that UTF-8
//! survives every path.

/// Given names: (display spelling, ASCII spelling used in user principal names).
pub(crate) const FIRST: &[(&str, &str)] = &[
    ("Aaliyah", "aaliyah"),
    ("Adam", "adam"),
    ("Aisha", "aisha"),
    ("Alejandro", "alejandro"),
    ("Amara", "amara"),
    ("Amelia", "amelia"),
    ("Ana", "ana"),
    ("Andrei", "andrei"),
    ("Anika", "anika"),
    ("Arjun", "arjun"),
    ("Ben", "ben"),
    ("Björn", "bjorn"),
    ("Camila", "camila"),
    ("Chen", "chen"),
    ("Chloe", "chloe"),
    ("Daniel", "daniel"),
    ("Diego", "diego"),
    ("Elif", "elif"),
    ("Emma", "emma"),
    ("Fatima", "fatima"),
    ("Felix", "felix"),
    ("François", "francois"),
    ("Grace", "grace"),
    ("Hana", "hana"),
    ("Hiroshi", "hiroshi"),
    ("Ibrahim", "ibrahim"),
    ("Ingrid", "ingrid"),
    ("Isabel", "isabel"),
    ("Jamal", "jamal"),
    ("Jin", "jin"),
    ("José", "jose"),
    ("Julia", "julia"),
    ("Kai", "kai"),
    ("Kavya", "kavya"),
    ("Laura", "laura"),
    ("Leon", "leon"),
    ("Lucía", "lucia"),
    ("Mateo", "mateo"),
    ("Maya", "maya"),
    ("Mei", "mei"),
    ("Mohammed", "mohammed"),
    ("Nadia", "nadia"),
    ("Noah", "noah"),
    ("Olga", "olga"),
    ("Omar", "omar"),
    ("Priya", "priya"),
    ("Rafael", "rafael"),
    ("Rin", "rin"),
    ("Sara", "sara"),
    ("Sebastian", "sebastian"),
    ("Siddharth", "siddharth"),
    ("Sofia", "sofia"),
    ("Søren", "soren"),
    ("Tariq", "tariq"),
    ("Thabo", "thabo"),
    ("Valentina", "valentina"),
    ("Victor", "victor"),
    ("Wei", "wei"),
    ("Yara", "yara"),
    ("Yusuf", "yusuf"),
    ("Zoë", "zoe"),
    ("Zhang", "zhang"),
    ("Elena", "elena"),
    ("Marcus", "marcus"),
];

/// Family names: (display spelling, ASCII spelling).
pub(crate) const LAST: &[(&str, &str)] = &[
    ("Abe", "abe"),
    ("Adeyemi", "adeyemi"),
    ("Almeida", "almeida"),
    ("Andersen", "andersen"),
    ("Baker", "baker"),
    ("Bianchi", "bianchi"),
    ("Brown", "brown"),
    ("Castillo", "castillo"),
    ("Chen", "chen"),
    ("Costa", "costa"),
    ("Dubois", "dubois"),
    ("Eriksson", "eriksson"),
    ("Fernández", "fernandez"),
    ("Fischer", "fischer"),
    ("García", "garcia"),
    ("Gupta", "gupta"),
    ("Haddad", "haddad"),
    ("Hansen", "hansen"),
    ("Hoang", "hoang"),
    ("Ivanova", "ivanova"),
    ("Jensen", "jensen"),
    ("Johnson", "johnson"),
    ("Kaya", "kaya"),
    ("Khan", "khan"),
    ("Kim", "kim"),
    ("Kowalski", "kowalski"),
    ("Kumar", "kumar"),
    ("Larsen", "larsen"),
    ("Li", "li"),
    ("López", "lopez"),
    ("Martin", "martin"),
    ("Mendes", "mendes"),
    ("Müller", "muller"),
    ("Murphy", "murphy"),
    ("Nakamura", "nakamura"),
    ("Nguyen", "nguyen"),
    ("Novak", "novak"),
    ("Okafor", "okafor"),
    ("O'Brien", "obrien"),
    ("Patel", "patel"),
    ("Pereira", "pereira"),
    ("Petrov", "petrov"),
    ("Popescu", "popescu"),
    ("Quispe", "quispe"),
    ("Rahman", "rahman"),
    ("Rossi", "rossi"),
    ("Sato", "sato"),
    ("Schmidt", "schmidt"),
    ("Silva", "silva"),
    ("Singh", "singh"),
    ("Smith", "smith"),
    ("Suzuki", "suzuki"),
    ("Tanaka", "tanaka"),
    ("Taylor", "taylor"),
    ("Thompson", "thompson"),
    ("Van der Berg", "vanderberg"),
    ("Wang", "wang"),
    ("Williams", "williams"),
    ("Wójcik", "wojcik"),
    ("Yamamoto", "yamamoto"),
    ("Yilmaz", "yilmaz"),
    ("Zhou", "zhou"),
    ("Zimmermann", "zimmermann"),
    ("Mensah", "mensah"),
];

/// Partner organisations whose people are guests: (display name, mail domain).
pub(crate) const PARTNERS: &[(&str, &str)] = &[
    ("Fabrikam", "fabrikam.com"),
    ("Northwind Audit", "northwindaudit.com"),
    ("Adatum", "adatum.com"),
    ("Litware", "litware.com"),
    ("Tailspin", "tailspintoys.com"),
    ("Woodgrove", "woodgrovebank.com"),
    ("Proseware", "proseware.com"),
    ("Wingtip", "wingtiptoys.com"),
];

pub(crate) const DEPARTMENTS: &[&str] = &[
    "Finance",
    "Human Resources",
    "Engineering",
    "Data Science",
    "Sales",
    "Marketing",
    "Legal",
    "IT",
    "Security",
    "Operations",
    "Research",
    "Customer Support",
    "Platform",
    "Analytics",
    "Product",
    "Procurement",
    "Risk",
    "Supply Chain",
];

/// Team or project words, also used in resource names (lowercase there).
pub(crate) const TEAMS: &[&str] = &[
    "forecast",
    "churn",
    "fraud",
    "vision",
    "speech",
    "nlp",
    "recsys",
    "pricing",
    "genai",
    "search",
    "ranking",
    "risk",
    "credit",
    "supply",
    "demand",
    "quality",
    "safety",
    "ads",
    "billing",
    "identity",
    "telemetry",
    "payments",
    "maps",
    "health",
    "retail",
    "docs",
    "labeling",
    "mlops",
    "feature",
    "lakehouse",
    "insights",
    "optimizer",
    "anomaly",
    "translate",
    "ocr",
    "assistant",
    "catalog",
    "inventory",
    "logistics",
    "energy",
];

pub(crate) const GROUP_ROLES: &[&str] = &[
    "Readers",
    "Contributors",
    "Admins",
    "Users",
    "Owners",
    "Operators",
    "Engineers",
    "Analysts",
    "Data Scientists",
    "Reviewers",
    "On-Call",
    "Developers",
];

pub(crate) const ENVS: &[&str] = &["dev", "test", "stage", "prod", "sandbox", "shared"];

pub(crate) const LOCATIONS: &[&str] = &[
    "westeurope",
    "northeurope",
    "eastus",
    "eastus2",
    "westus2",
    "uksouth",
    "swedencentral",
    "southeastasia",
];

pub(crate) const REGIONS: &[&str] = &["EMEA", "Americas", "APAC", "Nordics", "DACH", "LATAM"];

/// Management-group words, by depth below the tenant's top group.
pub(crate) const MG_WORDS: &[&str] = &[
    "platform",
    "landing-zones",
    "corp",
    "online",
    "sandboxes",
    "decommissioned",
    "identity",
    "connectivity",
    "management",
    "ml",
    "data",
    "apps",
    "research",
    "regulated",
    "shared",
];

pub(crate) const JOB_TITLES: &[&str] = &[
    "Data Scientist",
    "Senior Data Scientist",
    "Machine Learning Engineer",
    "Software Engineer",
    "Analyst",
    "Product Manager",
    "Platform Engineer",
    "Security Engineer",
    "Site Reliability Engineer",
    "Research Scientist",
];

/// "virtualMachines" → "Virtual Machines"; "workspaces/computes" → "Computes".
pub(crate) fn humanize(resource_type: &str) -> String {
    let last = resource_type.rsplit('/').next().unwrap_or(resource_type);
    let mut out = String::with_capacity(last.len() + 4);
    let mut prev_lower = false;
    for (i, c) in last.chars().enumerate() {
        if i == 0 {
            out.extend(c.to_uppercase());
        } else {
            if c.is_uppercase() && prev_lower {
                out.push(' ');
            }
            out.push(c);
        }
        prev_lower = c.is_lowercase() || c.is_ascii_digit();
    }
    out
}

/// "landing-zones" → "Landing Zones"; "nlp" → "NLP", "mlops" → "MLOps".
pub(crate) fn title(word: &str) -> String {
    word.split(['-', ' '])
        .filter(|w| !w.is_empty())
        .map(|w| match w {
            "ml" | "nlp" | "ocr" | "ai" | "it" | "api" | "etl" | "hr" => w.to_uppercase(),
            "mlops" => "MLOps".to_string(),
            "genai" => "GenAI".to_string(),
            "recsys" => "RecSys".to_string(),
            _ => {
                let mut c = w.chars();
                match c.next() {
                    Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
                    None => String::new(),
                }
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn humanize_and_title() {
        assert_eq!(humanize("virtualMachines"), "Virtual Machines");
        assert_eq!(humanize("workspaces/onlineEndpoints"), "Online Endpoints");
        assert_eq!(title("landing-zones"), "Landing Zones");
        assert_eq!(title("ml-3"), "ML 3");
        assert_eq!(title("mlops"), "MLOps");
    }

    #[test]
    fn ascii_spellings_are_ascii_lowercase() {
        for (_, a) in FIRST.iter().chain(LAST) {
            assert!(a.bytes().all(|b| b.is_ascii_lowercase()), "{a}");
        }
    }
}
