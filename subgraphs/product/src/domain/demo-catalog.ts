/** The demo catalog an empty product database starts with: four brands, four categories, all in stock. */
export const DEMO_BRANDS = ['Alpine Gear', 'Brightline', 'Coastal Co.', 'Ironwood'] as const;
export const DEMO_CATEGORIES = ['Outdoor', 'Kitchen', 'Electronics', 'Home Office'] as const;

export interface DemoProduct {
  sku: string;
  name: string;
  description: string;
  price: string;
  brand: (typeof DEMO_BRANDS)[number];
  category: (typeof DEMO_CATEGORIES)[number];
  stock: number;
}

const product = (
  sku: string,
  name: string,
  price: string,
  brand: DemoProduct['brand'],
  category: DemoProduct['category'],
  stock: number,
  description: string,
): DemoProduct => ({ sku, name, price, brand, category, stock, description });

export const DEMO_PRODUCTS: readonly DemoProduct[] = [
  product('ALP-TENT-2P', 'Two-Person Dome Tent', '189.00', 'Alpine Gear', 'Outdoor', 40, 'Freestanding, 2.1 kg.'),
  product('ALP-BAG-M5', 'Mummy Sleeping Bag -5 °C', '129.50', 'Alpine Gear', 'Outdoor', 60, 'Down fill, packs small.'),
  product('ALP-STOVE-1', 'Canister Camp Stove', '49.99', 'Alpine Gear', 'Outdoor', 120, 'Boils a litre in 3 minutes.'),
  product('ALP-HEAD-400', 'Headlamp 400 lm', '34.95', 'Alpine Gear', 'Outdoor', 200, 'USB-C rechargeable.'),
  product('ALP-POLE-CF', 'Carbon Trekking Poles', '99.00', 'Alpine Gear', 'Outdoor', 75, 'A pair, 240 g each.'),
  product('ALP-FLASK-1L', 'Insulated Flask 1 l', '29.90', 'Alpine Gear', 'Kitchen', 150, 'Hot for 24 hours.'),
  product('BRT-LAMP-DSK', 'LED Desk Lamp', '59.00', 'Brightline', 'Home Office', 90, 'Dimmable, warm to cool.'),
  product('BRT-SPK-MINI', 'Mini Bluetooth Speaker', '39.99', 'Brightline', 'Electronics', 180, '12 hours of music.'),
  product('BRT-HP-ANC', 'Noise-Cancelling Headphones', '219.00', 'Brightline', 'Electronics', 50, 'Over-ear, 30 h.'),
  product('BRT-CHG-65W', '65 W USB-C Charger', '44.50', 'Brightline', 'Electronics', 160, 'Charges a laptop.'),
  product('BRT-CAM-HD', 'HD Webcam', '69.00', 'Brightline', 'Home Office', 85, '1080p with a privacy cover.'),
  product('BRT-KBD-MX', 'Mechanical Keyboard', '129.00', 'Brightline', 'Home Office', 70, 'Hot-swappable switches.'),
  product('CST-KNIFE-8', "8-inch Chef's Knife", '79.00', 'Coastal Co.', 'Kitchen', 65, 'Forged stainless steel.'),
  product('CST-PAN-28', 'Cast Iron Skillet 28 cm', '54.90', 'Coastal Co.', 'Kitchen', 55, 'Pre-seasoned.'),
  product('CST-BOARD-L', 'Walnut Cutting Board', '64.00', 'Coastal Co.', 'Kitchen', 45, 'End grain, 45 x 30 cm.'),
  product('CST-PRESS-1', 'French Press 1 l', '32.00', 'Coastal Co.', 'Kitchen', 110, 'Borosilicate glass.'),
  product('CST-MUG-2', 'Stoneware Mug Set of 2', '24.00', 'Coastal Co.', 'Kitchen', 140, 'Dishwasher safe.'),
  product('CST-HAMMOCK', 'Beach Hammock', '74.95', 'Coastal Co.', 'Outdoor', 35, 'Holds 150 kg.'),
  product('IRW-DESK-SS', 'Sit-Stand Desk', '499.00', 'Ironwood', 'Home Office', 20, 'Electric, 140 x 70 cm.'),
  product(
    'IRW-CHAIR-E',
    'Ergonomic Office Chair',
    '349.00',
    'Ironwood',
    'Home Office',
    25,
    'Adjustable lumbar support.',
  ),
  product('IRW-SHELF-5', 'Five-Shelf Bookcase', '159.00', 'Ironwood', 'Home Office', 30, 'Solid oak.'),
  product('IRW-RACK-SP', 'Spice Rack', '27.50', 'Ironwood', 'Kitchen', 95, 'Wall-mounted, 12 jars.'),
  product('IRW-STAND-MN', 'Monitor Stand', '45.00', 'Ironwood', 'Electronics', 100, 'Beech wood, with a drawer.'),
  product('IRW-BENCH-GD', 'Garden Bench', '229.00', 'Ironwood', 'Outdoor', 15, 'Weatherproof teak.'),
];
