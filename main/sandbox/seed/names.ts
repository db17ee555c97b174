/** Name material for the demo and bench generators: Norwegian, Dutch and Finnish people, places and products. */

export interface Place {
  city: string;
  postalCode: string;
  state: string;
  country: 'NO' | 'NL' | 'FI' | 'SE';
  street: string[];
  phonePrefix: string;
}

export const PLACES: Place[] = [
  { city: 'Oslo', postalCode: '0150', state: 'Oslo', country: 'NO', street: ['Karl Johans gate', 'Storgata', 'Bogstadveien', 'Thorvald Meyers gate'], phonePrefix: '+47 22' },
  { city: 'Bergen', postalCode: '5003', state: 'Vestland', country: 'NO', street: ['Bryggen', 'Strandgaten', 'Nygårdsgaten'], phonePrefix: '+47 55' },
  { city: 'Trondheim', postalCode: '7011', state: 'Trøndelag', country: 'NO', street: ['Munkegata', 'Kongens gate', 'Olav Tryggvasons gate'], phonePrefix: '+47 73' },
  { city: 'Tromsø', postalCode: '9008', state: 'Troms', country: 'NO', street: ['Storgata', 'Sjøgata', 'Grønnegata'], phonePrefix: '+47 77' },
  { city: 'Stavanger', postalCode: '4006', state: 'Rogaland', country: 'NO', street: ['Kirkegata', 'Klubbgata', 'Pedersgata'], phonePrefix: '+47 51' },
  { city: 'Bodø', postalCode: '8006', state: 'Nordland', country: 'NO', street: ['Sjøgata', 'Storgata', 'Dronningens gate'], phonePrefix: '+47 75' },
  { city: 'Amsterdam', postalCode: '1012 JS', state: 'Noord-Holland', country: 'NL', street: ['Damrak', 'Kalverstraat', 'Prinsengracht', 'Herengracht'], phonePrefix: '+31 20' },
  { city: 'Rotterdam', postalCode: '3011 AD', state: 'Zuid-Holland', country: 'NL', street: ['Coolsingel', 'Witte de Withstraat', 'Lijnbaan'], phonePrefix: '+31 10' },
  { city: 'Utrecht', postalCode: '3511 LX', state: 'Utrecht', country: 'NL', street: ['Oudegracht', 'Vredenburg', 'Lange Viestraat'], phonePrefix: '+31 30' },
  { city: 'Groningen', postalCode: '9711 LM', state: 'Groningen', country: 'NL', street: ['Herestraat', 'Vismarkt', 'Oude Ebbingestraat'], phonePrefix: '+31 50' },
  { city: 'Helsinki', postalCode: '00100', state: 'Uusimaa', country: 'FI', street: ['Mannerheimintie', 'Aleksanterinkatu', 'Esplanadi'], phonePrefix: '+358 9' },
  { city: 'Tampere', postalCode: '33100', state: 'Pirkanmaa', country: 'FI', street: ['Hämeenkatu', 'Kauppakatu', 'Satakunnankatu'], phonePrefix: '+358 3' },
  { city: 'Oulu', postalCode: '90100', state: 'Pohjois-Pohjanmaa', country: 'FI', street: ['Kirkkokatu', 'Isokatu', 'Rotuaari'], phonePrefix: '+358 8' },
  { city: 'Turku', postalCode: '20100', state: 'Varsinais-Suomi', country: 'FI', street: ['Yliopistonkatu', 'Aurakatu', 'Linnankatu'], phonePrefix: '+358 2' },
  { city: 'Göteborg', postalCode: '411 06', state: 'Västra Götaland', country: 'SE', street: ['Kungsgatan', 'Avenyn', 'Drottninggatan'], phonePrefix: '+46 31' },
];

export const FIRST_NAMES: Record<'NO' | 'NL' | 'FI' | 'SE', string[]> = {
  NO: ['Ingrid', 'Ola', 'Kari', 'Lars', 'Solveig', 'Henrik', 'Ragnhild', 'Magnus', 'Sigrid', 'Eirik', 'Marit', 'Øystein', 'Åse', 'Torbjørn', 'Hanne', 'Bjørn'],
  NL: ['Jan', 'Sanne', 'Pieter', 'Femke', 'Daan', 'Lotte', 'Bram', 'Anouk', 'Joost', 'Marloes', 'Sem', 'Eva', 'Thijs', 'Noor'],
  FI: ['Aino', 'Mikko', 'Eeva', 'Juha', 'Liisa', 'Antti', 'Helmi', 'Ville', 'Satu', 'Jussi', 'Kaisa', 'Pekka', 'Riikka', 'Timo'],
  SE: ['Anna', 'Erik', 'Maja', 'Johan', 'Elsa', 'Nils'],
};

export const LAST_NAMES: Record<'NO' | 'NL' | 'FI' | 'SE', string[]> = {
  NO: ['Hansen', 'Johansen', 'Olsen', 'Larsen', 'Andersen', 'Pedersen', 'Nilsen', 'Kristiansen', 'Berg', 'Haugen', 'Bakke', 'Solberg', 'Dahl', 'Lie', 'Strand', 'Nygård'],
  NL: ['de Jong', 'Jansen', 'de Vries', 'van den Berg', 'Bakker', 'Visser', 'Smit', 'Meijer', 'de Boer', 'Mulder', 'van Dijk', 'Vermeulen'],
  FI: ['Korhonen', 'Virtanen', 'Mäkinen', 'Nieminen', 'Mäkelä', 'Hämäläinen', 'Laine', 'Heikkinen', 'Koskinen', 'Järvinen', 'Lehtonen', 'Salminen'],
  SE: ['Andersson', 'Johansson', 'Karlsson', 'Lindqvist', 'Svensson', 'Berglund'],
};

export const COMPANY_PATTERNS: Record<'NO' | 'NL' | 'FI' | 'SE', { stems: string[]; suffix: string[] }> = {
  NO: { stems: ['Fjord', 'Nordkapp', 'Vinterlys', 'Skogheim', 'Havbris', 'Fjellro', 'Polarlys', 'Lofoten', 'Midnattsol', 'Bjørkely', 'Tindeklatt', 'Sjøbris'], suffix: ['Interiør AS', 'Sport AS', 'Handel AS', 'Bygg og Hjem AS', 'Friluft AS', 'Kjøkken AS'] },
  NL: { stems: ['Tulp', 'Molen', 'Grachten', 'Duinzicht', 'Polderland', 'Zeewind', 'Oranje', 'Klompen', 'Dijkhuis', 'Vondel'], suffix: ['Wonen B.V.', 'Buitensport B.V.', 'Handelsonderneming B.V.', 'Interieur B.V.', 'Retail N.V.'] },
  FI: { stems: ['Revontuli', 'Koivu', 'Järvenranta', 'Sisu', 'Lumihiutale', 'Mökki', 'Saimaa', 'Kuusi', 'Tunturi', 'Hilla'], suffix: ['Oy', 'Kauppa Oy', 'Sisustus Oy', 'Retkeily Oy', 'Koti Oy'] },
  SE: { stems: ['Fjällbacka', 'Skärgård', 'Älvdal'], suffix: ['AB', 'Handel AB'] },
};

export interface ProductTemplate {
  name: string;
  category: string;
  price: [number, number];
  weight: number;
  volume: number;
  service?: boolean;
}

export const PRODUCTS: ProductTemplate[] = [
  { name: 'Ullteppe Fjellrose', category: 'TEKSTIL', price: [699, 1299], weight: 1.2, volume: 0.01 },
  { name: 'Lusekofte Classic', category: 'KLÆR', price: [1499, 2499], weight: 0.8, volume: 0.008 },
  { name: 'Kaffekjele emalje 1,5 l', category: 'KJØKKEN', price: [399, 649], weight: 0.9, volume: 0.004 },
  { name: 'Stearinlys hvit 12-pk', category: 'INTERIØR', price: [89, 149], weight: 1.1, volume: 0.003 },
  { name: 'Birkenhout snijplank', category: 'KJØKKEN', price: [249, 399], weight: 1.4, volume: 0.003 },
  { name: 'Fietsmand rotan', category: 'SPORT', price: [299, 549], weight: 0.7, volume: 0.03 },
  { name: 'Stroopwafelblik', category: 'INTERIØR', price: [129, 199], weight: 0.4, volume: 0.002 },
  { name: 'Delfts blauw vaas', category: 'INTERIØR', price: [349, 899], weight: 0.9, volume: 0.005 },
  { name: 'Saunakiulu ja kauha', category: 'SAUNA', price: [299, 499], weight: 1.6, volume: 0.006 },
  { name: 'Kuksa visakoivu', category: 'FRILUFT', price: [349, 599], weight: 0.2, volume: 0.001 },
  { name: 'Villasukat kirjoneule', category: 'KLÆR', price: [199, 349], weight: 0.2, volume: 0.001 },
  { name: 'Puukko Lappi', category: 'FRILUFT', price: [599, 1199], weight: 0.3, volume: 0.001 },
  { name: 'Sovepose Polar -20', category: 'FRILUFT', price: [1999, 3499], weight: 2.1, volume: 0.02 },
  { name: 'Telt Nordlys 3P', category: 'FRILUFT', price: [3499, 5999], weight: 3.4, volume: 0.03 },
  { name: 'Langrennsski Tur', category: 'SPORT', price: [2499, 4499], weight: 2.8, volume: 0.02 },
  { name: 'Skøyter Hockey Junior', category: 'SPORT', price: [899, 1499], weight: 1.8, volume: 0.012 },
  { name: 'Hodelykt LED 500', category: 'FRILUFT', price: [449, 799], weight: 0.15, volume: 0.001 },
  { name: 'Termos stål 1 l', category: 'FRILUFT', price: [299, 499], weight: 0.6, volume: 0.003 },
  { name: 'Ryggsekk Trolltunga 45 l', category: 'FRILUFT', price: [1299, 2199], weight: 1.5, volume: 0.05 },
  { name: 'Støpejernsgryte 4 l', category: 'KJØKKEN', price: [1199, 1899], weight: 5.2, volume: 0.012 },
  { name: 'Ostehøvel Original', category: 'KJØKKEN', price: [149, 249], weight: 0.1, volume: 0.001 },
  { name: 'Vaffeljern hjerte', category: 'KJØKKEN', price: [599, 999], weight: 2.3, volume: 0.01 },
  { name: 'Saueskinn naturhvit', category: 'INTERIØR', price: [899, 1599], weight: 0.9, volume: 0.02 },
  { name: 'Pute Rondane 50x50', category: 'TEKSTIL', price: [249, 449], weight: 0.5, volume: 0.01 },
  { name: 'Lampe Skandi messing', category: 'INTERIØR', price: [1299, 2299], weight: 2.0, volume: 0.02 },
  { name: 'Krakk eik', category: 'MØBLER', price: [999, 1799], weight: 4.5, volume: 0.04 },
  { name: 'Knagg Fjord 3-pk', category: 'INTERIØR', price: [199, 329], weight: 0.4, volume: 0.002 },
  { name: 'Regnjakke Vestland', category: 'KLÆR', price: [1599, 2799], weight: 0.7, volume: 0.008 },
  { name: 'Gummistøvler Kyst', category: 'KLÆR', price: [499, 899], weight: 1.6, volume: 0.015 },
  { name: 'Fiskestang Laks 9 fot', category: 'FRILUFT', price: [1499, 2999], weight: 0.4, volume: 0.006 },
  { name: 'Kanelbollepakke', category: 'MAT', price: [59, 99], weight: 0.5, volume: 0.002 },
  { name: 'Multebærsyltetøy', category: 'MAT', price: [129, 189], weight: 0.45, volume: 0.001 },
  { name: 'Geitost brun 500 g', category: 'MAT', price: [99, 149], weight: 0.5, volume: 0.001 },
  { name: 'Ruisleipä 6-pk', category: 'MAT', price: [49, 79], weight: 0.6, volume: 0.002 },
  { name: 'Salmiakki 400 g', category: 'MAT', price: [59, 89], weight: 0.4, volume: 0.001 },
  { name: 'Hollandse kaas Gouda 1 kg', category: 'MAT', price: [189, 279], weight: 1.0, volume: 0.001 },
  { name: 'Montering og installasjon', category: 'TJENESTE', price: [890, 1290], weight: 0, volume: 0, service: true },
  { name: 'Utvidet garanti 3 år', category: 'TJENESTE', price: [299, 799], weight: 0, volume: 0, service: true },
];

export const NOUNS = ['Ullteppe', 'Termos', 'Lykt', 'Pute', 'Gryte', 'Sekk', 'Jakke', 'Kopp', 'Vaas', 'Mand', 'Kiulu', 'Kuksa', 'Sukat', 'Krakk', 'Lampe', 'Ski', 'Telt', 'Støvel'];
export const ADJECTIVES = ['Fjell', 'Kyst', 'Polar', 'Skog', 'Hav', 'Lys', 'Vinter', 'Sommer', 'Noord', 'Duin', 'Järvi', 'Tunturi', 'Revontuli', 'Midnatt'];
export const VARIANTS = ['Mini', 'Maxi', 'Pro', 'Classic', 'Tur', 'Junior', 'XL', 'Lite', 'Extra', 'Plus'];
